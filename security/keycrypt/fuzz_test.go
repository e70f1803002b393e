package keycrypt

import (
	"encoding/pem"
	"testing"
)

// FuzzDecryptPKCS8 feeds damaged EncryptedPrivateKeyInfo structures (all
// schemes: PBES2, PBES1, PKCS#12 PBE, JKS and JCEKS protection) to the
// decryptor. The seed corpus in testdata/fuzz holds the real ones.
func FuzzDecryptPKCS8(f *testing.F) {
	saved := maxIterations
	maxIterations = 4096 // keep each input cheap; the real bound is tested elsewhere
	defer func() { maxIterations = saved }()
	f.Fuzz(func(t *testing.T, der []byte, password string) {
		plain, err := DecryptPKCS8(der, password)
		if err == nil && !looksLikeDER(plain) {
			t.Fatalf("accepted a result that is not DER")
		}
		PKCS8Algorithm(der)
	})
}

// FuzzDecryptLegacyPEM feeds damaged "Proc-Type: 4,ENCRYPTED" PEM.
func FuzzDecryptLegacyPEM(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		b, _ := pem.Decode(data)
		if b == nil {
			return
		}
		IsLegacyEncrypted(b)
		LegacyCipher(b)
		DecryptLegacyPEM(b, password)
	})
}
