package smtp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// cmdMail starts a transaction (MAIL FROM, RFC 5321 §4.1.1.2) after the
// TLS, authentication and sender checks.
func (s *session) cmdMail(arg string) {
	switch {
	case s.helo == "":
		s.respond(reply{503, "5.5.1", "Error: send HELO/EHLO first"})
		return
	case s.tx != nil:
		s.respond(reply{503, "5.5.1", "Error: nested MAIL command"})
		return
	case s.cfg.RequireTLS && s.tlsState() == nil:
		s.respond(reply{530, "5.7.0", "Must issue a STARTTLS command first"})
		return
	}
	if rule, ok := clientTLSRule(s.cfg.ClientTLS, s.remote.Addr()); ok {
		if why := rule.unmet(s.tlsState()); why != "" {
			s.respond(reply{530, "5.7.0", why})
			return
		}
	}
	if s.cfg.AuthRequired && !s.authed() {
		s.respond(reply{530, "5.7.0", "Authentication required"})
		return
	}
	p, bad := parsePathArg(arg, "FROM")
	if bad != nil {
		s.respond(*bad)
		return
	}
	tx := &transaction{}
	for _, prm := range p.params {
		if r := s.mailParam(tx, prm); r != nil {
			s.respond(*r)
			return
		}
	}
	if p.addr != "" {
		addr, bad := checkMailbox(p.addr, tx.smtputf8)
		if bad != nil {
			s.respond(*bad)
			return
		}
		p.addr = addr
	}
	if s.cfg.VerifyIdentity && s.authed() && p.addr != "" {
		if r := s.checkOwnAddress(p.addr); r != nil {
			s.respond(*r)
			return
		}
	}
	switch v, r := s.cfg.SenderRestrictions.check(s.ctx, s.checkInput(p.addr, "")); v {
	case verdictReject:
		s.log.Info("sender rejected", zap.String("from", p.addr), zap.String("reply", r.text))
		s.respond(r)
		return
	case verdictDiscard:
		tx.discard = true
	}
	tx.id = newQueueID()
	tx.from = p.addr
	s.tx = tx
	s.respond(reply{250, "2.1.0", "Ok"})
}

// mailParam applies one MAIL FROM parameter to tx.
func (s *session) mailParam(tx *transaction, p param) *reply {
	if !s.esmtp {
		return &reply{555, "5.5.4", "Error: parameters need EHLO"}
	}
	switch p.key {
	case "SIZE":
		n, err := strconv.ParseInt(p.value, 10, 64)
		if err != nil || n < 0 {
			return &reply{501, "5.5.4", "Bad SIZE parameter"}
		}
		if s.cfg.MaxMessageBytes > 0 && n > s.cfg.MaxMessageBytes {
			return &reply{552, "5.3.4", fmt.Sprintf("Message size exceeds fixed limit of %d bytes", s.cfg.MaxMessageBytes)}
		}
	case "BODY":
		switch strings.ToUpper(p.value) {
		case "7BIT":
		case "8BITMIME":
			tx.eightBit = true
		default:
			return &reply{501, "5.5.4", "Unsupported BODY type " + p.value}
		}
	case "SMTPUTF8":
		if p.value != "" {
			return &reply{501, "5.5.4", "SMTPUTF8 takes no value"}
		}
		tx.smtputf8 = true
	case "AUTH":
		// RFC 4954 §5: the original submitter; we record our own AUTH only.
	default:
		return &reply{555, "5.5.4", "Unsupported option: " + p.key}
	}
	return nil
}

// checkOwnAddress enforces VerifyIdentity: the sender address must deliver
// to the authenticated user.
func (s *session) checkOwnAddress(addr string) *reply {
	denied := &reply{553, "5.7.1", fmt.Sprintf("<%s>: Sender address rejected: not owned by user %s", addr, s.user.Name)}
	if !s.cfg.isLocalDomain(domainOf(addr)) {
		return denied
	}
	res, err := s.h.backend.Resolve(s.ctx, addr)
	if errors.Is(err, ErrUnknownRecipient) {
		return denied
	}
	if err != nil {
		s.log.Error("resolve sender", zap.String("from", addr), zap.Error(err))
		r := replyFor(err)
		return &r
	}
	for _, t := range res.Targets {
		if t.UserID == s.user.ID && t.Mailbox == "" {
			return nil
		}
	}
	return denied
}

// cmdRcpt adds a recipient (RCPT TO, RFC 5321 §4.1.1.3): local addresses
// must exist, others need the relay restrictions' permission.
func (s *session) cmdRcpt(arg string) {
	tx := s.tx
	if tx == nil {
		s.respond(reply{503, "5.5.1", "Error: need MAIL command"})
		return
	}
	if s.cfg.RecipientLimit > 0 && len(tx.rcpts) >= s.cfg.RecipientLimit {
		s.respondUncounted(reply{452, "4.5.3", "Error: too many recipients"})
		return
	}
	p, bad := parsePathArg(arg, "TO")
	if bad != nil {
		s.respond(*bad)
		return
	}
	if len(p.params) > 0 {
		s.respond(reply{555, "5.5.4", "Unsupported option: " + p.params[0].key})
		return
	}
	addr := p.addr
	if strings.EqualFold(addr, "postmaster") && s.cfg.Postmaster != "" {
		addr = s.cfg.Postmaster
	}
	addr, bad = checkMailbox(addr, tx.smtputf8)
	if bad != nil {
		s.respond(*bad)
		return
	}
	rcpt := recipient{addr: addr, local: s.cfg.isLocalDomain(domainOf(addr))}
	if s.cfg.LMTP && !rcpt.local {
		s.respond(reply{550, "5.1.2", fmt.Sprintf("<%s>: Recipient address rejected: domain not delivered by this LMTP server", addr)})
		return
	}
	list := s.cfg.RelayRestrictions
	if rcpt.local {
		list = s.cfg.RecipientRestrictions
	}
	switch v, r := list.check(s.ctx, s.checkInput(tx.from, addr)); v {
	case verdictReject:
		s.log.Info("recipient rejected", zap.String("from", tx.from), zap.String("to", addr), zap.String("reply", r.text))
		s.respond(r)
		return
	case verdictDiscard:
		tx.discard = true
	}
	if rcpt.local {
		res, err := s.h.backend.Resolve(s.ctx, addr)
		if err == nil && len(res.Targets) == 0 && len(res.Forward) == 0 {
			err = ErrUnknownRecipient
		}
		if err != nil {
			r := replyFor(err)
			if !isSMTPError(err) {
				s.log.Error("resolve recipient", zap.String("to", addr), zap.Error(err))
			}
			r.text = fmt.Sprintf("<%s>: %s", addr, r.text)
			s.respond(r)
			return
		}
		rcpt.targets, rcpt.forward = res.Targets, res.Forward
	}
	tx.rcpts = append(tx.rcpts, rcpt)
	s.respond(reply{250, "2.1.5", "Ok"})
}

func isSMTPError(err error) bool {
	var se *Error
	return errors.As(err, &se)
}
