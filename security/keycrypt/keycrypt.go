// Package keycrypt decrypts the password-protected private keys that mail
// administrators actually have: encrypted PKCS#8 (PBES2 with PBKDF2, PBES1,
// PKCS#12 PBE), OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" PEM, and Sun's key
// protection in JKS and JCEKS keystores.
//
// Every function takes the password as the user typed it and encodes it the
// way the algorithm's writer did (UTF-8 for OpenSSL, UTF-16 for Java's JKS,
// ASCII for Sun's PBE, BMPString for PKCS#12), so callers never have to.
// Nothing here panics on malformed input; all iteration counts are bounded.
package keycrypt

import (
	"crypto/cipher"
	"errors"
	"fmt"
)

// ErrWrongPassword means the data did not decrypt with the password given:
// the padding or integrity check failed. Corrupt data looks the same.
var ErrWrongPassword = errors.New("wrong password (or corrupt data)")

// ErrNoPassword means the key is encrypted and the password is empty.
var ErrNoPassword = errors.New("the key is encrypted and no password was given")

// UnsupportedError names an encryption scheme this package cannot undo.
type UnsupportedError struct {
	What string
}

func (e *UnsupportedError) Error() string { return "unsupported " + e.What }

// maxIterations bounds the work a file can ask for. Real files use 1 to
// 200,000 (JCEKS); a larger count is an attack or garbage. Fuzz tests lower it.
var maxIterations = 1 << 22

func checkIterations(n int) error {
	if n < 1 || n > maxIterations {
		return fmt.Errorf("iteration count %d out of range 1..%d", n, maxIterations)
	}
	return nil
}

// cbcDecrypt decrypts data into a new slice and strips PKCS#5/7 padding. A bad length or padding is reported as ErrWrongPassword, the
// usual symptom of a wrong key.
func cbcDecrypt(block cipher.Block, iv, data []byte) ([]byte, error) {
	bs := block.BlockSize()
	if len(iv) != bs {
		return nil, fmt.Errorf("IV is %d bytes, the cipher needs %d", len(iv), bs)
	}
	if len(data) == 0 || len(data)%bs != 0 {
		return nil, fmt.Errorf("encrypted data is %d bytes, not a multiple of the %d-byte block", len(data), bs)
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs {
		return nil, ErrWrongPassword
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, ErrWrongPassword
		}
	}
	return out[:len(out)-pad], nil
}
