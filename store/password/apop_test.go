package password

import "testing"

func TestVerifyAPOP(t *testing.T) {
	// RFC 1939 §7's example.
	const stamp = "<1896.697170952@dbc.mtview.ca.us>"
	for digest, want := range map[string]bool{
		"c4c9334bac560ecc979e58001b3e22fb":  true,
		"C4C9334BAC560ECC979E58001B3E22FB":  true,
		"c4c9334bac560ecc979e58001b3e22fc":  false,
		"c4c9334bac560ecc979e58001b3e22f":   false,
		"":                                  false,
		"c4c9334bac560ecc979e58001b3e22fb ": false,
	} {
		if got := VerifyAPOP(stamp, "tanstaaf", digest); got != want {
			t.Errorf("VerifyAPOP(%q) = %v, want %v", digest, got, want)
		}
	}
}

func TestHedwigPlaintext(t *testing.T) {
	for _, c := range []struct {
		stored string
		enc    Encoder
		ok     bool
	}{
		{"tanstaaf", EncoderDetect, true},
		{"tanstaaf", EncoderPlaintext, true},
		{"tanstaaf", EncoderMD5, false},
		{"tanstaaf", EncoderDES, false},
		{"$1$5f3a1c9e$K7/FNgxo6UCm0Bp0.suFk/", EncoderDetect, false},
		{"zZ.MDp56k9JaU", EncoderDetect, false},   // may be DES crypt
		{"zZ.MDp56k9JaU", EncoderPlaintext, true}, // the encoder says plaintext
		{"", EncoderPlaintext, false},
	} {
		secret, ok := HedwigPlaintext(c.stored, c.enc)
		if ok != c.ok || ok && secret != c.stored {
			t.Errorf("HedwigPlaintext(%q, %v) = %q, %v; want ok=%v", c.stored, c.enc, secret, ok, c.ok)
		}
	}
}
