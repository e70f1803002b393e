package pop3

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"
)

// SASL mechanisms offered by AUTH (RFC 5034).
const (
	mechPlain    = "PLAIN"
	mechLogin    = "LOGIN"
	mechExternal = "EXTERNAL"
)

var (
	errSASLCancelled = errors.New("authentication cancelled")
	errSASLBase64    = errors.New("the response is not valid base64")
	errSASLPlain     = errors.New("a PLAIN response is authzid NUL authcid NUL password")
	errSASLText      = errors.New("identities and passwords must be UTF-8 without NUL")
)

// decodeSASLResponse decodes one client response line of an AUTH exchange
// (RFC 5034 §4): "*" cancels, "=" is an empty initial response, anything
// else is base64.
func decodeSASLResponse(line string) ([]byte, error) {
	line = strings.TrimSpace(line)
	switch line {
	case "*":
		return nil, errSASLCancelled
	case "=":
		return []byte{}, nil
	}
	// The decoder would skip CR and LF inside; a response has none.
	if strings.ContainsAny(line, "\r\n \t") {
		return nil, errSASLBase64
	}
	b, err := base64.StdEncoding.Strict().DecodeString(line)
	if err != nil {
		return nil, errSASLBase64
	}
	return b, nil
}

// parsePlain splits a PLAIN response (RFC 4616) into its authorization
// identity, authentication identity and password.
func parsePlain(b []byte) (authzid, authcid, password string, err error) {
	parts := bytes.Split(b, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		return "", "", "", errSASLPlain
	}
	for _, p := range parts {
		if !utf8.Valid(p) {
			return "", "", "", errSASLText
		}
	}
	return string(parts[0]), string(parts[1]), string(parts[2]), nil
}

// saslText checks a LOGIN or EXTERNAL identity or password.
func saslText(b []byte) (string, error) {
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return "", errSASLText
	}
	return string(b), nil
}

// LOGIN's prompts, base64 of "Username:" and "Password:" as clients expect.
var (
	loginUserPrompt = base64.StdEncoding.EncodeToString([]byte("Username:"))
	loginPassPrompt = base64.StdEncoding.EncodeToString([]byte("Password:"))
)
