package ovn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads the JSON of one database file record a buffer at a time,
// so that a compacted southbound file, one record of hundreds of
// megabytes, never sits in memory whole. It reads what ovsdb-server
// writes: objects, arrays, strings, numbers, true, false and null. Values
// the importer does not want are skipped without being decoded.
//
// Its methods return errors that name the file offset they stopped at.
type scanner struct {
	r   io.Reader
	buf []byte
	pos int   // the next unread byte of buf
	end int   // the end of the data in buf
	off int64 // the file offset of buf[0]
	err error // what ended the input: io.EOF at its end, else a read error
}

// scanBuffer is the size a scanner reads in; a token longer than this
// grows the buffer.
const scanBuffer = 256 << 10

func newScanner(r io.Reader, off int64, size int) *scanner {
	return &scanner{r: r, buf: make([]byte, size), off: off}
}

// more reads more input, keeping buf[from:] (from <= pos) and moving it
// to the start of buf. It returns how far positions moved, which callers
// apply even when it returns false: the input has ended.
func (s *scanner) more(from int) (int, bool) {
	if s.err != nil {
		return 0, false
	}
	if from > 0 {
		copy(s.buf, s.buf[from:s.end])
		s.pos -= from
		s.end -= from
		s.off += int64(from)
	}
	if s.end == len(s.buf) { // one token fills the buffer
		grown := make([]byte, 2*len(s.buf))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.err = err
		}
		if n > 0 {
			return from, true
		}
		if err != nil {
			return from, false
		}
	}
}

// fail is a syntax error at the current position.
func (s *scanner) fail(format string, args ...any) error {
	return fmt.Errorf("byte %d: %s", s.off+int64(s.pos), fmt.Sprintf(format, args...))
}

// ended is the error for input that stops where what was wanted.
func (s *scanner) ended(want string) error {
	if s.err != nil && !errors.Is(s.err, io.EOF) {
		return s.err // a truncated record or a read error says so itself
	}
	return fmt.Errorf("byte %d: the record ends where %s should be", s.off+int64(s.end), want)
}

// peek skips white space and returns the next byte, without consuming it;
// 0 at the end of input.
func (s *scanner) peek() byte {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c
			}
		}
		if _, ok := s.more(s.pos); !ok {
			return 0
		}
	}
}

// expect consumes byte c, the next one after white space.
func (s *scanner) expect(c byte, want string) error {
	switch got := s.peek(); got {
	case c:
		s.pos++
		return nil
	case 0:
		return s.ended(want)
	default:
		return s.fail("want %s, found %s", want, quoteByte(got))
	}
}

func quoteByte(c byte) string {
	if c < utf8.RuneSelf && strconv.IsPrint(rune(c)) {
		return "'" + string(rune(c)) + "'"
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// key reads the n-th key of an object whose '{' has been consumed, and the
// ':' after it; false at the object's end. The bytes are valid until the
// next read.
func (s *scanner) key(n int) ([]byte, bool, error) {
	if done, err := s.next(n, '}', "an object key"); done || err != nil {
		return nil, false, err
	}
	k, err := s.stringBytes()
	if err != nil {
		return nil, false, err
	}
	// ':' is the next byte in every file ovsdb-server writes; if it is
	// not in the buffer, reading more would move k's bytes.
	if s.pos < s.end && s.buf[s.pos] == ':' {
		s.pos++
		return k, true, nil
	}
	k = append([]byte(nil), k...)
	return k, true, s.expect(':', "':'")
}

// elem reports whether an array whose '[' has been consumed has an n-th
// element, consuming the ',' before it; false at the array's end.
func (s *scanner) elem(n int) (bool, error) {
	done, err := s.next(n, ']', "an array element")
	return !done && err == nil, err
}

// array reads an array, calling each to read every element.
func (s *scanner) array(want string, each func() error) error {
	if err := s.expect('[', want); err != nil {
		return err
	}
	for n := 0; ; n++ {
		more, err := s.elem(n)
		if err != nil || !more {
			return err
		}
		if err := each(); err != nil {
			return err
		}
	}
}

// next consumes the ',' before the n-th member of an object or array, or
// its closing byte; true at the close.
func (s *scanner) next(n int, closing byte, want string) (bool, error) {
	c := s.peek()
	switch {
	case c == closing:
		s.pos++
		return true, nil
	case n == 0 && c != 0:
		return false, nil
	case c == ',':
		s.pos++
		return false, nil
	case c == 0:
		return false, s.ended(want)
	default:
		return false, s.fail("want ',' or %s, found %s", quoteByte(closing), quoteByte(c))
	}
}

// str reads a string.
func (s *scanner) str() (string, error) {
	b, err := s.stringBytes()
	return string(b), err
}

// stringBytes reads a string; the bytes are valid until the next read.
func (s *scanner) stringBytes() ([]byte, error) {
	if err := s.expect('"', "a string"); err != nil {
		return nil, err
	}
	start, i, escaped := s.pos, s.pos, false
	for {
		if i >= s.end {
			shift, ok := s.more(start)
			start, i = start-shift, i-shift
			if !ok {
				return nil, s.ended("the end of a string")
			}
			continue
		}
		rest := s.buf[i:s.end]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			q = len(rest)
		}
		if b := bytes.IndexByte(rest[:q], '\\'); b >= 0 {
			escaped, i = true, i+b+2
			continue
		}
		if i += q; i < s.end {
			break
		}
	}
	raw := s.buf[start:i]
	s.pos = i + 1
	if !escaped {
		return raw, nil
	}
	out, ok := unescape(raw)
	if !ok {
		return nil, fmt.Errorf("byte %d: bad escape in string %q", s.off+int64(start), raw)
	}
	return out, nil
}

// unescape decodes a JSON string's escapes as encoding/json does: a lone
// surrogate becomes U+FFFD.
func unescape(raw []byte) ([]byte, bool) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i++; i == len(raw) {
			return nil, false
		}
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw[i+1:])
			if !ok {
				return nil, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; anything else is U+FFFD, and
				// what follows is read on its own.
				dec := utf8.RuneError
				if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					if r2, ok := hex4(raw[i+3:]); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							dec, i = d, i+6
						}
					}
				}
				r = dec
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, false
		}
	}
	return out, true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// integer reads a number that is an integer.
func (s *scanner) integer() (int64, error) {
	b, err := s.literal()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, s.fail("want an integer, found %q", b)
	}
	return n, nil
}

// boolean reads true or false.
func (s *scanner) boolean() (bool, error) {
	b, err := s.literal()
	switch {
	case err != nil:
		return false, err
	case string(b) == "true":
		return true, nil
	case string(b) == "false":
		return false, nil
	}
	return false, s.fail("want true or false, found %q", b)
}

// literal reads a number, true, false or null; the bytes are valid until
// the next read.
func (s *scanner) literal() ([]byte, error) {
	if c := s.peek(); c == 0 {
		return nil, s.ended("a value")
	} else if !isLiteral(c) {
		return nil, s.fail("want a number, true, false or null, found %s", quoteByte(c))
	}
	start, i := s.pos, s.pos
	for {
		for i < s.end && isLiteral(s.buf[i]) {
			i++
		}
		if i < s.end {
			break
		}
		shift, ok := s.more(start)
		start, i = start-shift, i-shift
		if !ok {
			break // a literal may end the input
		}
	}
	s.pos = i
	return s.buf[start:i], nil
}

func isLiteral(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// skip consumes one value of any kind without decoding it.
func (s *scanner) skip() error {
	depth := 0
	for {
		switch c := s.peek(); {
		case c == 0:
			return s.ended("a value")
		case c == '"':
			if err := s.skipString(); err != nil {
				return err
			}
		case c == '{' || c == '[':
			s.pos++
			depth++
			continue
		case c == '}' || c == ']':
			if depth == 0 {
				return s.fail("want a value, found %s", quoteByte(c))
			}
			s.pos++
			depth--
		case c == ',' || c == ':':
			if depth == 0 {
				return s.fail("want a value, found %s", quoteByte(c))
			}
			s.pos++
			continue
		case isLiteral(c):
			if _, err := s.literal(); err != nil {
				return err
			}
		default:
			return s.fail("want a value, found %s", quoteByte(c))
		}
		if depth == 0 {
			return nil
		}
	}
}

// skipString consumes a string without keeping its bytes.
func (s *scanner) skipString() error {
	s.pos++ // the opening quote
	for {
		rest := s.buf[s.pos:s.end]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			q = len(rest)
		}
		if b := bytes.IndexByte(rest[:q], '\\'); b >= 0 {
			s.pos += b + 2
		} else if q < len(rest) {
			s.pos += q + 1
			return nil
		} else {
			s.pos = s.end
		}
		for s.pos >= s.end {
			over := s.pos - s.end // an escape's second byte not yet read
			s.pos = s.end
			if _, ok := s.more(s.pos); !ok {
				return s.ended("the end of a string")
			}
			s.pos += over
		}
	}
}

// rest checks that nothing but white space follows the value.
func (s *scanner) rest() error {
	if c := s.peek(); c != 0 {
		return s.fail("want the end of the record after its JSON value, found %s", quoteByte(c))
	}
	if s.err != nil && !errors.Is(s.err, io.EOF) {
		return s.err
	}
	return nil
}
