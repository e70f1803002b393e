package password

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

type vector struct{ kind, user, password, want string }

func loadVectors(t *testing.T) []vector {
	t.Helper()
	f, err := os.Open("testdata/vectors.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []vector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		p := strings.Split(line, "\t")
		switch p[0] {
		case "james":
			vs = append(vs, vector{p[0], p[1], p[2], strings.ReplaceAll(p[3], `\r\n`, "\r\n")})
		default:
			vs = append(vs, vector{kind: p[0], password: p[1], want: p[2]})
		}
	}
	if len(vs) < 10 {
		t.Fatalf("only %d vectors", len(vs))
	}
	return vs
}

func TestHedwigEncodersMatchJava(t *testing.T) {
	seen := map[string]int{}
	for _, v := range loadVectors(t) {
		seen[v.kind]++
		switch v.kind {
		case "des":
			if got := DESCrypt(v.password, v.want[:2]); got != v.want {
				t.Errorf("DESCrypt(%q) = %s, want %s", v.password, got, v.want)
			}
			if !VerifyHedwig(v.want, v.password, EncoderDES) || !VerifyHedwig(v.want, v.password, EncoderDetect) {
				t.Errorf("VerifyHedwig rejects %q for %s", v.password, v.want)
			}
			if VerifyHedwig(v.want, "x"+v.password, EncoderDES) { // DES reads 8 characters only
				t.Errorf("VerifyHedwig accepts a wrong password for %s", v.want)
			}
		case "md5":
			salt, _ := md5CryptSalt(v.want)
			if got := MD5Crypt(v.password, salt); got != v.want {
				t.Errorf("MD5Crypt(%q) = %s, want %s", v.password, got, v.want)
			}
			if !VerifyHedwig(v.want, v.password, EncoderMD5) || !VerifyHedwig(v.want, v.password, EncoderDetect) {
				t.Errorf("VerifyHedwig rejects %q for %s", v.password, v.want)
			}
			if VerifyHedwig(v.want, "wrong"+v.password, EncoderDetect) {
				t.Errorf("VerifyHedwig accepts a wrong password for %s", v.want)
			}
			// The hash itself is not a password (no plaintext fallback for $1$).
			if VerifyHedwig(v.want, v.want, EncoderDetect) {
				t.Errorf("VerifyHedwig accepts the md5-crypt string as its own password")
			}
		case "james":
			ok, err := VerifyJames("PBKDF2-SHA512", "plain", v.want, v.user, v.password)
			if err != nil || !ok {
				t.Errorf("VerifyJames(%s) = %v, %v", v.user, ok, err)
			}
			ok, err = VerifyJames("PBKDF2-SHA512", "plain", v.want, v.user, v.password+"!")
			if err != nil || ok {
				t.Errorf("VerifyJames accepts a wrong password: %v, %v", ok, err)
			}
			got, err := JamesDigest("PBKDF2-SHA512", "plain", v.password, v.user)
			if err != nil || got != v.want {
				t.Errorf("JamesDigest = %q, %v; want %q", got, err, v.want)
			}
		}
	}
	// A vectors file that lost one kind must not pass by checking nothing.
	for _, kind := range []string{"des", "md5", "james"} {
		if seen[kind] == 0 {
			t.Errorf("testdata/vectors.tsv has no %s vectors", kind)
		}
	}
}

func TestPlaintext(t *testing.T) {
	if !VerifyHedwig("hedwig", "hedwig", EncoderPlaintext) || !VerifyHedwig("hedwig", "hedwig", EncoderDetect) {
		t.Fatal("plaintext password rejected")
	}
	if VerifyHedwig("hedwig", "Hedwig", EncoderDetect) || VerifyHedwig("", "", EncoderDetect) {
		t.Fatal("wrong or empty plaintext accepted")
	}
	// A 13-character plaintext password is still accepted in Detect mode.
	if !VerifyHedwig("Password12345", "Password12345", EncoderDetect) {
		t.Fatal("13-character plaintext rejected")
	}
	if VerifyHedwig("Password12345", "Password12345", EncoderDES) {
		t.Fatal("plaintext accepted in DES mode")
	}
}

func TestArgon2idRoundTrip(t *testing.T) {
	p := Argon2Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 32, SaltLen: 16}
	h, err := Hash("correct horse", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := VerifyArgon2id(h, "correct horse"); !ok || err != nil {
		t.Fatalf("verify = %v, %v", ok, err)
	}
	if ok, _ := VerifyArgon2id(h, "correct horse "); ok {
		t.Fatal("wrong password accepted")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=0,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"} {
		if _, err := VerifyArgon2id(bad, "x"); err == nil {
			t.Errorf("VerifyArgon2id(%q) accepted a malformed hash", bad)
		}
	}
}

func TestJamesAlgorithms(t *testing.T) {
	for _, alg := range []string{"SHA-256", "SHA-512/salted", "SHA-1/legacy", "MD5/legacy_salted", "PBKDF2", "PBKDF2-SHA512-2000-256"} {
		d, err := JamesDigest(alg, "plain", "pw", "carol")
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if ok, err := VerifyJames(alg, "plain", d, "carol", "pw"); !ok || err != nil {
			t.Errorf("%s: round trip failed: %v %v", alg, ok, err)
		}
	}
	if _, err := VerifyJames("BLAKE3", "plain", "", "u", "p"); err == nil {
		t.Error("unknown algorithm accepted")
	}
	if _, err := VerifyJames("SHA-256/odd", "plain", "", "u", "p"); err == nil {
		t.Error("unknown hashing mode accepted")
	}
}

func TestParseEncoder(t *testing.T) {
	cases := map[string]Encoder{
		"": EncoderDetect, "com.hs.mail.security.login.MD5PasswordEncoder": EncoderMD5,
		"com.hs.mail.security.login.CryptPasswordEncoder":     EncoderDES,
		"com.hs.mail.security.login.PlaintextPasswordEncoder": EncoderPlaintext,
	}
	for in, want := range cases {
		if got, err := ParseEncoder(in); err != nil || got != want {
			t.Errorf("ParseEncoder(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseEncoder("com.example.Rot13Encoder"); err == nil {
		t.Error("unknown encoder accepted")
	}
}

func FuzzVerifyArgon2id(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", "pw")
	f.Add("$1$abc$def", "x")
	f.Fuzz(func(t *testing.T, encoded, plain string) {
		VerifyArgon2id(encoded, plain) //nolint:errcheck // must not panic
		VerifyHedwig(encoded, plain, EncoderDetect)
	})
}

func FuzzVerifyJames(f *testing.F) {
	f.Add("PBKDF2-SHA512", "O0LUOvvV", "alice", "pw")
	f.Add("SHA-256/legacy", "", "", "")
	f.Fuzz(func(t *testing.T, alg, stored, salt, plain string) {
		if strings.HasPrefix(alg, "PBKDF2") && len(alg) > 20 {
			return // huge iteration counts only burn fuzzing time
		}
		VerifyJames(alg, "plain", stored, salt, plain) //nolint:errcheck // must not panic
	})
}
