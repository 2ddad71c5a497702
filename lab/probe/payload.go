package probe

import (
	"bytes"
	"fmt"
)

// payloadMagic starts every probe payload, so stray traffic that happens
// to be a plausible token does not count as an arrival.
const payloadMagic = "hsprobe:"

// maxTokenLen bounds tokens, and with it every read of a payload.
const maxTokenLen = 64

// maxPayloadLen is the longest payload a receiver accepts.
const maxPayloadLen = len(payloadMagic) + maxTokenLen

// ValidToken reports whether tok can be carried by a probe: 1 to 64
// characters from [A-Za-z0-9._-].
func ValidToken(tok string) bool {
	if len(tok) == 0 || len(tok) > maxTokenLen {
		return false
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// encodePayload returns the bytes a probe for tok carries.
func encodePayload(tok string) ([]byte, error) {
	if !ValidToken(tok) {
		return nil, fmt.Errorf("token %q: want 1 to %d characters from [A-Za-z0-9._-]", tok, maxTokenLen)
	}
	return []byte(payloadMagic + tok), nil
}

// parsePayload returns the token a payload carries. It accepts exactly
// payloadMagic followed by a valid token: no padding, no line end.
func parsePayload(b []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(payloadMagic))
	if !ok || !ValidToken(string(rest)) {
		return "", false
	}
	return string(rest), true
}
