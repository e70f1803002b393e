package imap

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/store"
)

// internalDateLayout is RFC 3501's date-time.
const internalDateLayout = "02-Jan-2006 15:04:05 -0700"

// errBrokenResponse is a failure after a response began: the session
// has to end, since the client cannot tell where the response stops.
var errBrokenResponse = errors.New("response cut short")

// fetchBatch bounds how many messages' metadata one store query reads.
const fetchBatch = 500

func (s *session) cmdFetch(cmd *command) reply {
	a := cmd.args.(fetchArgs)
	v := s.sel
	items := a.items
	if cmd.uid && !hasItem(items, "UID") {
		items = append([]fetchItem{{name: "UID"}}, items...)
	}
	if a.changedSince > 0 {
		s.condstore = true
		if !hasItem(items, "MODSEQ") {
			items = append(items, fetchItem{name: "MODSEQ"})
		}
	}
	if hasItem(items, "MODSEQ") {
		s.condstore = true
	}
	if a.vanished {
		if !cmd.uid || !s.qresync || a.changedSince == 0 {
			return bad("VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC")
		}
		gone, err := s.h.store.ExpungedSince(s.ctx, v.mb.ID, a.changedSince)
		if err != nil {
			return s.storeError("FETCH", err)
		}
		s.vanishedEarlier(gone, a.set)
	}
	markSeen := false
	for _, it := range items {
		if (it.name == "BODY[]" && !it.peek) || it.name == "RFC822" || it.name == "RFC822.TEXT" {
			markSeen = !v.readOnly && v.may("s")
		}
	}
	uids := v.resolve(a.set, cmd.uid)
	var unreadable []int64 // one broken message must not hide the others
	for start := 0; start < len(uids); start += fetchBatch {
		batch := uids[start:min(start+fetchBatch, len(uids))]
		infos, err := s.h.store.MessagesByUID(s.ctx, v.mb.ID, batch)
		if err != nil {
			return s.storeError("FETCH", err)
		}
		if markSeen {
			if err := s.markSeen(infos); err != nil {
				return s.storeError("FETCH", err)
			}
		}
		for _, info := range infos {
			if a.changedSince > 0 && info.ModSeq <= a.changedSince {
				continue
			}
			if err := s.fetchOne(info, items, markSeen); err != nil {
				if errors.Is(err, errBrokenResponse) {
					s.log.Warn("fetch aborted mid-response", zap.Int64("uid", info.UID), zap.Error(err))
					return reply{abort: true}
				}
				s.log.Warn("fetch failed", zap.Int64("uid", info.UID), zap.Error(err))
				unreadable = append(unreadable, info.UID)
			}
		}
		if err := s.c.Flush(); err != nil {
			return reply{abort: true}
		}
	}
	if len(unreadable) > 0 {
		return no("SERVERBUG", "cannot read message(s) with UID "+uidString(unreadable)+", see the server log")
	}
	return ok("FETCH completed")
}

func hasItem(items []fetchItem, name string) bool {
	for _, it := range items {
		if it.name == name {
			return true
		}
	}
	return false
}

// markSeen sets \Seen on the messages a non-peek body fetch reads.
func (s *session) markSeen(infos []store.MessageInfo) error {
	var unseen []int64
	for _, m := range infos {
		if m.Flags&store.FlagSeen == 0 {
			unseen = append(unseen, m.UID)
		}
	}
	if len(unseen) == 0 {
		return nil
	}
	res, err := s.h.store.UpdateFlags(s.ctx, s.sel.mb.ID, unseen, store.FlagUpdate{Op: store.FlagsAdd, Flags: store.FlagSeen})
	if err != nil {
		return err
	}
	for _, m := range res.Changed {
		s.sel.state[m.UID] = stateOf(m)
	}
	return nil
}

// fetchOne writes one FETCH response.
func (s *session) fetchOne(info store.MessageInfo, items []fetchItem, flagsChanged bool) error {
	v := s.sel
	seq := v.seq(info.UID)
	if seq == 0 {
		return nil
	}
	w := s.w
	// Everything that can fail is read before the response begins, so
	// that an error never leaves half a response on the wire.
	var raw []byte
	var root *part
	var stream store.Body
	needParse, needStream := classify(items)
	if needParse || needStream {
		body, err := s.h.store.OpenBody(s.ctx, info.UID)
		if err != nil {
			return err
		}
		defer body.Close()
		if needParse {
			if raw, err = io.ReadAll(body); err != nil {
				return fmt.Errorf("read message %d: %w", info.UID, err)
			}
			root = parseMessage(raw)
		} else {
			stream = body
		}
	}
	w.WriteString("* " + strconv.Itoa(seq) + " FETCH (")
	sentFlags := false
	for i, it := range items {
		if i > 0 {
			w.WriteByte(' ')
		}
		switch it.name {
		case "UID":
			w.WriteString("UID " + strconv.FormatInt(info.UID, 10))
		case "FLAGS":
			w.WriteString("FLAGS " + v.flags(info.UID))
			sentFlags = true
		case "INTERNALDATE":
			w.WriteString(`INTERNALDATE "` + info.InternalDate.Format(internalDateLayout) + `"`)
		case "RFC822.SIZE":
			w.WriteString("RFC822.SIZE " + strconv.FormatInt(info.Size, 10))
		case "MODSEQ":
			w.WriteString("MODSEQ (" + strconv.FormatInt(max(info.ModSeq, v.state[info.UID].modseq), 10) + ")")
		case "BODY[]":
			if stream != nil {
				if err := s.streamBody(info.UID, stream, it); err != nil {
					return err
				}
				continue
			}
			label := "BODY[" + it.section.String() + "]"
			if it.partial {
				label += "<" + strconv.FormatInt(it.offset, 10) + ">"
			}
			w.WriteString(label + " ")
			writeLiteral(w, partial(sectionBytes(raw, root, it.section), it))
		default:
			s.fetchParsed(it, raw, root)
		}
	}
	if flagsChanged && !sentFlags {
		w.WriteString(" FLAGS " + v.flags(info.UID))
	}
	w.WriteString(")\r\n")
	return nil
}

// classify says whether items need the parsed message, or only a stream
// of the whole message (BODY[] and its ranges).
func classify(items []fetchItem) (needParse, needStream bool) {
	for _, it := range items {
		switch it.name {
		case "UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "MODSEQ":
		case "BODY[]":
			if len(it.section.part) == 0 && it.section.specifier == "" {
				needStream = true
			} else {
				needParse = true
			}
		default:
			needParse = true
		}
	}
	return needParse, needStream && !needParse
}

// fetchParsed writes the items that need the parsed message.
func (s *session) fetchParsed(it fetchItem, raw []byte, root *part) {
	w := s.w
	switch it.name {
	case "ENVELOPE":
		w.WriteString("ENVELOPE ")
		writeEnvelope(w, root)
	case "BODYSTRUCTURE", "BODY":
		w.WriteString(it.name + " ")
		writeBodyStructure(w, root, it.name == "BODYSTRUCTURE")
	case "RFC822":
		w.WriteString("RFC822 ")
		writeLiteral(w, raw)
	case "RFC822.HEADER":
		w.WriteString("RFC822.HEADER ")
		writeLiteral(w, root.header)
	case "RFC822.TEXT":
		w.WriteString("RFC822.TEXT ")
		writeLiteral(w, root.body)
	}
}

// streamBody sends BODY[] (or a range of it) straight from the stored
// file, without holding the message in memory.
func (s *session) streamBody(uid int64, body store.Body, it fetchItem) error {
	size := body.Size()
	off, n := int64(0), size
	label := "BODY[]"
	if it.partial {
		label += "<" + strconv.FormatInt(it.offset, 10) + ">"
		off = min(it.offset, size)
		n = min(it.count, size-off)
	}
	s.w.WriteString(label + " {" + strconv.FormatInt(n, 10) + "}\r\n")
	written, err := io.Copy(s.w, io.NewSectionReader(body, off, n))
	if err == nil && written != n {
		err = fmt.Errorf("message %d: body shorter than its size", uid)
	}
	if err != nil {
		// The literal is broken; the connection cannot carry on.
		return fmt.Errorf("%w: %v", errBrokenResponse, err)
	}
	return nil
}
