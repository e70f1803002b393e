package security

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"strings"

	"github.com/hedwigmail/hedwig/security/javaks"
)

// Format is the kind of file key material comes in.
type Format int

const (
	FormatUnknown Format = iota
	FormatJKS
	FormatJCEKS
	FormatPKCS12
	FormatPEM
	FormatDER // one DER certificate (a .cer/.der file)
)

func (f Format) String() string {
	switch f {
	case FormatJKS:
		return "JKS"
	case FormatJCEKS:
		return "JCEKS"
	case FormatPKCS12:
		return "PKCS12"
	case FormatPEM:
		return "PEM"
	case FormatDER:
		return "DER"
	}
	return "unknown"
}

// ParseFormat reads a declared keystore type the way Java spells it
// (JKS, CaseExactJKS, JCEKS, PKCS12, PKCS#12) plus PEM, P12, PFX and DER,
// ignoring case. ok is false for anything else (BKS, Windows-MY, ...).
func ParseFormat(name string) (f Format, ok bool) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "JKS", "CASEEXACTJKS":
		return FormatJKS, true
	case "JCEKS":
		return FormatJCEKS, true
	case "PKCS12", "PKCS#12", "P12", "PFX":
		return FormatPKCS12, true
	case "PEM":
		return FormatPEM, true
	case "DER", "CER", "CRT":
		return FormatDER, true
	}
	return FormatUnknown, false
}

// DetectFormat tells the format from the file's content: the JKS and
// JCEKS magic numbers, the start of a PKCS#12 PFX (a SEQUENCE opening with
// INTEGER 3, in DER or BER), PEM armour, or a DER certificate.
func DetectFormat(data []byte) Format {
	if len(data) >= 4 {
		switch binary.BigEndian.Uint32(data) {
		case javaks.MagicJKS:
			return FormatJKS
		case javaks.MagicJCEKS:
			return FormatJCEKS
		}
	}
	if looksLikePFX(data) {
		return FormatPKCS12
	}
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		return FormatPEM
	}
	if _, err := x509.ParseCertificate(data); err == nil {
		return FormatDER
	}
	return FormatUnknown
}

// looksLikePFX checks the first bytes of a PKCS#12 PFX: SEQUENCE (any
// length form, BER indefinite included) then INTEGER 3, the PFX version.
func looksLikePFX(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	i := 2
	switch l := data[1]; {
	case l == 0x80: // BER indefinite length
	case l < 0x80:
		if int(l) > len(data)-2 {
			return false
		}
	default:
		n := int(l & 0x7f)
		if n > 4 || len(data) < 2+n {
			return false
		}
		length := 0
		for _, b := range data[2 : 2+n] {
			length = length<<8 | int(b)
		}
		i += n
		if length > len(data)-i {
			return false
		}
	}
	return len(data) >= i+3 && data[i] == 0x02 && data[i+1] == 0x01 && data[i+2] == 0x03
}
