package conf

// logicalLine is one key/value entry of a .properties file as Java's
// Properties.LineReader sees it: continuation lines joined, the backslash
// before each line break and the indentation after it removed, comment and
// blank lines dropped. Escapes are still in place.
type logicalLine struct {
	text string
	line int // 1-based physical line of the entry's first character
}

// scanLogicalLines splits src the way java.util.Properties (Java 9+) does.
// Its quirks are deliberate, because Hedwig read its configuration this way:
//   - "\r\n", "\r" and "\n" all end a line, also after a continuation backslash;
//   - a comment (# or !) is only recognised where a logical line starts, so a
//     comment never continues and a continued line never turns into a comment,
//     except when everything before it on the logical line was one backslash;
//   - an empty continuation line ends the logical line;
//   - a backslash at the very end of the input is dropped, and an entry that
//     is only that backslash is an empty key with an empty value.
func scanLogicalLines(src string) []logicalLine {
	var (
		out                []logicalLine
		buf                []byte
		line               = 1 // physical line of src[i]
		start              int // physical line of buf[0]
		skipWhitespace     = true
		appendedLineBegin  bool // just joined a continuation line
		precedingBackslash bool // buf ends in an odd number of backslashes
		skipLF             bool // the last line break was a continued "\r"
	)
	emit := func() {
		n := len(buf)
		if precedingBackslash {
			n--
		}
		out = append(out, logicalLine{text: string(buf[:n]), line: start})
		buf = buf[:0]
		precedingBackslash = false
	}
	for i := 0; i < len(src); i++ {
		if i > 0 && endsPhysicalLine(src, i-1) {
			line++
		}
		c := src[i]
		if skipLF {
			skipLF = false
			if c == '\n' {
				continue
			}
		}
		if skipWhitespace {
			if isPropertiesSpace(c) {
				continue
			}
			if !appendedLineBegin && isLineBreak(c) {
				continue
			}
			skipWhitespace = false
			appendedLineBegin = false
		}
		if len(buf) == 0 && (c == '#' || c == '!') {
			for i+1 < len(src) && !isLineBreak(src[i+1]) {
				i++
			}
			skipWhitespace = true
			continue
		}
		if !isLineBreak(c) {
			if len(buf) == 0 {
				start = line
			}
			buf = append(buf, c)
			precedingBackslash = c == '\\' && !precedingBackslash
			continue
		}
		// A line break ends the logical line unless a backslash escapes it.
		if len(buf) == 0 {
			skipWhitespace = true
			continue
		}
		if i == len(src)-1 {
			emit()
			return out
		}
		if !precedingBackslash {
			emit()
			skipWhitespace = true
			continue
		}
		buf = buf[:len(buf)-1]
		precedingBackslash = false
		skipWhitespace = true
		appendedLineBegin = true
		skipLF = c == '\r'
	}
	if len(buf) > 0 {
		emit()
	}
	return out
}

// countPhysicalLines is the number of lines an editor shows for src.
func countPhysicalLines(src string) int {
	n := 1
	for i := 0; i < len(src); i++ {
		if endsPhysicalLine(src, i) && i < len(src)-1 {
			n++
		}
	}
	return n
}

// endsPhysicalLine reports whether src[i] terminates a line; the "\r" of a
// "\r\n" pair does not, its "\n" does.
func endsPhysicalLine(src string, i int) bool {
	switch src[i] {
	case '\n':
		return true
	case '\r':
		return i+1 == len(src) || src[i+1] != '\n'
	}
	return false
}

func isLineBreak(c byte) bool { return c == '\n' || c == '\r' }

// isPropertiesSpace is Java's whitespace set for .properties files.
func isPropertiesSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }
