package container

import "github.com/hedwigmail/hedwig/listener"

// protocolHandler builds a store-backed protocol handler for a server bean.
// Without a store, or when build fails, the listener answers every client
// with busy (the protocol's "not available" line); the problem is reported
// against the bean, so such a configuration never starts.
func (e *env) protocolHandler(b *beanReader, busy string, build func() (listener.Handler, error)) listener.Handler {
	if e.store == nil {
		if !e.opts.CheckOnly {
			e.probs.Errorf(b.bean.Pos, subject(b.bean), "no mail store: define an org.apache.commons.dbcp.BasicDataSource bean")
		}
		return busyOnly{reply: busy}
	}
	h, err := build()
	if err != nil {
		e.probs.Errorf(b.bean.Pos, subject(b.bean), "%v", err)
		return busyOnly{reply: busy}
	}
	return h
}
