// Package webapp serves hedwig's administration pages: the listeners with
// their counters and certificates, the bean definitions of the
// configuration file with an editor for their literal properties, and a
// Prometheus /metrics endpoint.
//
// The pages know the running server only through Source (see source.go);
// the container implements it. Administrators sign in with a password that
// Config.Auth checks, and only the logins in Config.Admins get in. Sessions
// live in memory: a restart signs everybody out.
//
// Every form POST is checked twice against cross-site requests: its Origin
// (or, failing that, its Referer) must be this server, and forms used by
// a signed-in administrator carry a token bound to the session.
package webapp
