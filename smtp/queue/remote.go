package queue

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	netsmtp "net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/smtp"
)

// hop is one server to try for a destination.
type hop struct {
	host string // MX or gateway name: also the name its certificate must carry
	port string
}

// deliverRemote sends msg to the recipients of one domain (or, with a
// gateway, of all remote domains: domain is then ""), trying the next
// hops in preference order until one gives answers about the recipients.
func (q *Queue) deliverRemote(ctx context.Context, e *Entry, domain string, rcpts []*Recipient, msg *smtp.Message) map[*Recipient]outcome {
	hops, o := q.nextHops(ctx, domain)
	if o != nil {
		return allOutcome(rcpts, *o)
	}
	policyDomain := domain
	if q.cfg.Gateway != "" {
		policyDomain = hops[0].host
	}
	rule, required := serverTLSRule(q.cfg.TLSPolicy, policyDomain)
	var last outcome
	for _, h := range hops {
		res, hostErr := q.session(ctx, e, h, rule, required, rcpts, msg)
		if hostErr == nil {
			return res
		}
		q.log.Info("next hop failed", zap.String("id", e.ID), zap.String("host", h.host), zap.Error(hostErr.err))
		last = *hostErr
		if ctx.Err() != nil {
			break
		}
	}
	return allOutcome(rcpts, last)
}

// nextHops lists the servers for domain: the gateway, or the MX hosts, or
// the domain itself when it has no MX (RFC 5321 §5.1). A failure that
// concerns every recipient comes back as an outcome.
func (q *Queue) nextHops(ctx context.Context, domain string) ([]hop, *outcome) {
	port := strconv.Itoa(q.cfg.Port)
	if q.cfg.Gateway != "" {
		host, p, err := net.SplitHostPort(q.cfg.Gateway)
		if err != nil {
			host, p = q.cfg.Gateway, "25"
		}
		return []hop{{host, p}}, nil
	}
	lctx, cancel := context.WithTimeout(ctx, q.cfg.ConnectTimeout)
	defer cancel()
	mxs, err := q.cfg.Resolver.LookupMX(lctx, domain)
	var dnsErr *net.DNSError
	switch {
	case err == nil && len(mxs) == 1 && (mxs[0].Host == "." || mxs[0].Host == ""):
		return nil, &outcome{err: fmt.Errorf("%s does not accept mail (null MX)", domain), permanent: true, status: "5.1.10"}
	case err == nil:
		hops := make([]hop, 0, len(mxs))
		for _, mx := range mxs {
			hops = append(hops, hop{strings.TrimSuffix(mx.Host, "."), port})
		}
		return hops, nil
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		if _, herr := q.cfg.Resolver.LookupHost(lctx, domain); herr != nil {
			if errors.As(herr, &dnsErr) && dnsErr.IsNotFound {
				return nil, &outcome{err: fmt.Errorf("domain %s not found", domain), permanent: true, status: "5.1.2"}
			}
			return nil, &outcome{err: fmt.Errorf("look up %s: %w", domain, herr), status: "4.4.3"}
		}
		return []hop{{domain, port}}, nil
	default:
		return nil, &outcome{err: fmt.Errorf("MX lookup for %s: %w", domain, err), status: "4.4.3"}
	}
}

// session runs one SMTP transaction with one host. A non-nil second
// result is a failure of the host as a whole: the caller tries the next.
func (q *Queue) session(ctx context.Context, e *Entry, h hop, rule ServerTLSRule, tlsRequired bool,
	rcpts []*Recipient, msg *smtp.Message) (map[*Recipient]outcome, *outcome) {
	res, hostErr, retryPlain := q.trySession(ctx, e, h, rule, tlsRequired, true, rcpts, msg)
	if retryPlain {
		// Opportunistic TLS failed in the handshake: like Postfix, deliver
		// in the clear rather than not at all.
		q.log.Info("TLS handshake failed, retrying without TLS", zap.String("id", e.ID), zap.String("host", h.host))
		res, hostErr, _ = q.trySession(ctx, e, h, rule, false, false, rcpts, msg)
	}
	return res, hostErr
}

func (q *Queue) trySession(ctx context.Context, e *Entry, h hop, rule ServerTLSRule, tlsRequired, tryTLS bool,
	rcpts []*Recipient, msg *smtp.Message) (_ map[*Recipient]outcome, _ *outcome, retryPlain bool) {
	mta := h.host
	temp := func(status, format string, args ...any) *outcome {
		return &outcome{err: fmt.Errorf(format, args...), status: status, remoteMTA: mta}
	}
	dctx, cancel := context.WithTimeout(ctx, q.cfg.ConnectTimeout)
	nc, err := q.cfg.DialContext(dctx, "tcp", net.JoinHostPort(h.host, h.port))
	cancel()
	if err != nil {
		return nil, temp("4.4.1", "connect to %s: %v", h.host, err), false
	}
	conn := &deadlineConn{Conn: nc, timeout: q.cfg.CommandTimeout}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()

	c, err := netsmtp.NewClient(conn, h.host)
	if err != nil {
		return nil, temp("4.4.2", "greeting from %s: %v", h.host, err), false
	}
	defer c.Close()
	if err := c.Hello(q.cfg.Hostname); err != nil {
		return nil, temp("4.4.2", "EHLO to %s: %v", h.host, err), false
	}
	hasTLS, _ := c.Extension("STARTTLS")
	switch {
	case hasTLS && tryTLS:
		cfg := &tls.Config{ServerName: h.host, RootCAs: q.cfg.RootCAs, MinVersion: tls.VersionTLS12, InsecureSkipVerify: !rule.Verify}
		if err := c.StartTLS(cfg); err != nil {
			if tlsRequired {
				return nil, temp("4.7.5", "STARTTLS with %s: %v", h.host, err), false
			}
			return nil, temp("4.7.5", "STARTTLS with %s: %v", h.host, err), true
		}
		st, _ := c.TLSConnectionState()
		if rule.MinCipherBits > 0 && smtp.CipherBits(st.CipherSuite) < rule.MinCipherBits {
			c.Quit()
			return nil, temp("4.7.5", "%s negotiated %s, weaker than the %d bits policy requires", h.host, tls.CipherSuiteName(st.CipherSuite), rule.MinCipherBits), false
		}
	case tlsRequired:
		c.Quit()
		return nil, temp("4.7.4", "%s does not offer STARTTLS, which policy requires; not sending in clear", h.host), false
	}
	if q.cfg.GatewayUser != "" && q.cfg.Gateway != "" {
		if _, isTLS := c.TLSConnectionState(); !isTLS {
			c.Quit()
			return nil, temp("4.7.4", "gateway %s: not sending the password without TLS", h.host), false
		}
		if err := c.Auth(netsmtp.PlainAuth("", q.cfg.GatewayUser, q.cfg.GatewayPassword, h.host)); err != nil {
			return nil, replyOutcome(err, mta, "AUTH"), false
		}
	}
	if e.SMTPUTF8 {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			c.Quit()
			o := outcome{err: fmt.Errorf("%s does not support SMTPUTF8, which this message needs", h.host), permanent: true, status: "5.6.7", remoteMTA: mta}
			return allOutcome(rcpts, o), nil, false
		}
	}
	if err := c.Mail(e.From); err != nil {
		o := replyOutcome(err, mta, "MAIL FROM")
		if !o.permanent {
			return nil, o, false
		}
		return allOutcome(rcpts, *o), nil, false
	}
	out := make(map[*Recipient]outcome, len(rcpts))
	var accepted []*Recipient
	for _, r := range rcpts {
		if err := c.Rcpt(r.Address); err != nil {
			out[r] = *replyOutcome(err, mta, "RCPT TO")
			continue
		}
		accepted = append(accepted, r)
	}
	if len(accepted) == 0 {
		c.Quit()
		return out, nil, false
	}
	final := q.sendData(c, msg, mta)
	for _, r := range accepted {
		out[r] = final
	}
	c.Quit()
	return out, nil, false
}

func (q *Queue) sendData(c *netsmtp.Client, msg *smtp.Message, mta string) outcome {
	w, err := c.Data()
	if err != nil {
		return *replyOutcome(err, mta, "DATA")
	}
	if _, err := io.Copy(w, msg.NewReader()); err != nil {
		return outcome{err: fmt.Errorf("sending data to %s: %w", mta, err), status: "4.4.2", remoteMTA: mta}
	}
	if err := w.Close(); err != nil {
		return *replyOutcome(err, mta, "end of data")
	}
	return outcome{remoteMTA: mta}
}

// replyOutcome classifies a reply error from the next hop.
func replyOutcome(err error, mta, stage string) *outcome {
	var te *textproto.Error
	if errors.As(err, &te) {
		status := ""
		if f := strings.Fields(te.Msg); len(f) > 0 && isStatusCode(f[0]) {
			status = f[0]
		}
		permanent := te.Code >= 500
		if status == "" {
			status = map[bool]string{true: "5.0.0", false: "4.0.0"}[permanent]
		}
		return &outcome{err: fmt.Errorf("%s said %d %s (in reply to %s)", mta, te.Code, te.Msg, stage),
			permanent: permanent, status: status, remoteMTA: mta, reply: oneLine(fmt.Sprintf("%d %s", te.Code, te.Msg))}
	}
	return &outcome{err: fmt.Errorf("%s: %s: %w", mta, stage, err), status: "4.4.2", remoteMTA: mta}
}

func isStatusCode(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || (parts[0] != "2" && parts[0] != "4" && parts[0] != "5") {
		return false
	}
	for _, p := range parts[1:] {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

func allOutcome(rcpts []*Recipient, o outcome) map[*Recipient]outcome {
	out := make(map[*Recipient]outcome, len(rcpts))
	for _, r := range rcpts {
		out[r] = o
	}
	return out
}

// deadlineConn gives every read and write its own deadline (smtp_timeout),
// since net/smtp has none of its own.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}
