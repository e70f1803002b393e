package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path"
	"path/filepath"
	"strings"
)

// A journal record is one message body as the committer wrote it before
// committing its rows:
//
//	magic   "HXJ1"
//	batch   uint64, the batch within the segment (its hx_journal_batch row)
//	physid  uint64, hw_physmessage.physmessageid
//	pathlen uint16, then bodylen uint64
//	path    the message file, relative to data_directory, with slashes
//	body    the message
//	crc32c  of everything before it in the record
//
// Integers are big-endian. The checksum trails so that a body can be
// streamed into the journal. A record that is short or fails its checksum
// ends the segment: it was being written when the process died, before the
// fdatasync that precedes every commit.
const (
	journalMagic     = "HXJ1"
	recordHeaderSize = 4 + 8 + 8 + 2 + 8
	maxJournalPath   = 4096
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// journalRecord is one decoded record.
type journalRecord struct {
	batch  uint64
	physID int64
	path   string
	body   []byte
}

// recordHeader encodes the header and path of a record whose body has the
// given length.
func recordHeader(batch uint64, physID int64, path string, bodyLen int64) []byte {
	h := make([]byte, recordHeaderSize, recordHeaderSize+len(path))
	copy(h, journalMagic)
	binary.BigEndian.PutUint64(h[4:], batch)
	binary.BigEndian.PutUint64(h[12:], uint64(physID))
	binary.BigEndian.PutUint16(h[20:], uint16(len(path)))
	binary.BigEndian.PutUint64(h[22:], uint64(bodyLen))
	return append(h, path...)
}

var errTornRecord = errors.New("torn journal record")

// readRecord reads the next record of a segment; io.EOF at a clean end,
// errTornRecord for a record that was not completely written.
func readRecord(r io.Reader, limit int64) (journalRecord, error) {
	var rec journalRecord
	var h [recordHeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF {
			return rec, io.EOF
		}
		if err == io.ErrUnexpectedEOF {
			return rec, errTornRecord
		}
		return rec, err
	}
	if string(h[:4]) != journalMagic {
		return rec, errTornRecord
	}
	rec.batch = binary.BigEndian.Uint64(h[4:])
	rec.physID = int64(binary.BigEndian.Uint64(h[12:]))
	pathLen := int64(binary.BigEndian.Uint16(h[20:]))
	bodyLen := binary.BigEndian.Uint64(h[22:])
	if pathLen == 0 || pathLen > maxJournalPath || bodyLen > uint64(limit) || rec.physID <= 0 {
		return rec, errTornRecord
	}
	buf := make([]byte, pathLen+int64(bodyLen)+4)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return rec, errTornRecord
		}
		return rec, err
	}
	n := len(buf) - 4
	c := crc32.Update(crc32.Update(0, crc32c, h[:]), crc32c, buf[:n])
	if c != binary.BigEndian.Uint32(buf[n:]) {
		return rec, errTornRecord
	}
	rec.path, rec.body = string(buf[:pathLen]), buf[pathLen:n]
	if err := checkJournalPath(rec.path); err != nil {
		return rec, fmt.Errorf("journal record %d: %w", rec.physID, err)
	}
	return rec, nil
}

// checkJournalPath refuses a path that could leave the data directory, so
// that a damaged (or planted) segment cannot make recovery write elsewhere.
func checkJournalPath(p string) error {
	if !filepath.IsLocal(p) || path.Clean(p) != p || strings.ContainsRune(p, '\\') {
		return fmt.Errorf("path %q is not a clean path inside the data directory", p)
	}
	return nil
}
