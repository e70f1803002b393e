package security

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSP tuning: how long to wait for a responder, how much to read, how
// much clock skew to forgive, and how long to keep a response that gives
// no nextUpdate.
const (
	ocspTimeout      = 10 * time.Second
	ocspMaxResponse  = 1 << 20
	ocspClockSkew    = 5 * time.Minute
	ocspDefaultCache = 5 * time.Minute
)

// OCSPChecker asks OCSP responders whether certificates are revoked, as
// James's enableOCSPCRLChecks does: the responder comes from the
// certificate's Authority Information Access, and anything but a signed
// "good" answer is a refusal (hard fail). Answers are cached until their
// nextUpdate.
type OCSPChecker struct {
	// Client sends the requests; NewOCSPChecker sets a 10-second timeout.
	Client *http.Client

	mu    sync.Mutex
	cache map[[32]byte]cachedOCSP
}

type cachedOCSP struct {
	resp  *ocsp.Response
	until time.Time
}

// NewOCSPChecker returns a checker with its own HTTP client.
func NewOCSPChecker() *OCSPChecker {
	return &OCSPChecker{Client: &http.Client{Timeout: ocspTimeout}}
}

// Check returns nil only when a responder named in leaf's AIA extension
// says, in a response signed for issuer, that leaf is good.
func (c *OCSPChecker) Check(ctx context.Context, leaf, issuer *x509.Certificate) error {
	who := fmt.Sprintf("certificate %q (serial %x)", leaf.Subject.String(), leaf.SerialNumber)
	if len(leaf.OCSPServer) == 0 {
		return fmt.Errorf("%s names no OCSP responder (no AIA OCSP URL), so its revocation cannot be checked", who)
	}
	key := ocspCacheKey(leaf, issuer)
	now := time.Now()
	c.mu.Lock()
	cached, ok := c.cache[key]
	c.mu.Unlock()
	if ok && now.Before(cached.until) {
		return verdict(who, cached.resp)
	}
	req, err := ocsp.CreateRequest(leaf, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return fmt.Errorf("%s: building the OCSP request: %w", who, err)
	}
	var errs []error
	for _, url := range leaf.OCSPServer {
		resp, err := c.query(ctx, url, req, leaf, issuer, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("OCSP responder %s: %w", url, err))
			continue
		}
		until := resp.NextUpdate
		if until.IsZero() {
			until = now.Add(ocspDefaultCache)
		}
		c.mu.Lock()
		if c.cache == nil {
			c.cache = map[[32]byte]cachedOCSP{}
		}
		c.cache[key] = cachedOCSP{resp: resp, until: until}
		c.mu.Unlock()
		return verdict(who, resp)
	}
	return fmt.Errorf("%s: revocation status unknown, refused: %w", who, errors.Join(errs...))
}

func (c *OCSPChecker) query(ctx context.Context, url string, req []byte, leaf, issuer *x509.Certificate, now time.Time) (*ocsp.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, ocspTimeout)
	defer cancel()
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	httpReq.Header.Set("Content-Type", "application/ocsp-request")
	httpReq.Header.Set("Accept", "application/ocsp-response")
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: ocspTimeout}
	}
	httpResp, err := client.Do(httpReq)
	if err != nil {
		return nil, err
	}
	defer httpResp.Body.Close()
	if httpResp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %s", httpResp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(httpResp.Body, ocspMaxResponse))
	if err != nil {
		return nil, err
	}
	resp, err := ocsp.ParseResponseForCert(body, leaf, issuer)
	if err != nil {
		return nil, err
	}
	if rc := resp.Certificate; rc != nil && !rc.Equal(issuer) &&
		!slices.Contains(rc.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return nil, errors.New("the response is signed by a certificate not authorised for OCSP signing")
	}
	if resp.ThisUpdate.After(now.Add(ocspClockSkew)) {
		return nil, fmt.Errorf("the response is dated in the future (%s)", resp.ThisUpdate.UTC().Format(time.RFC3339))
	}
	if !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate.Add(ocspClockSkew)) {
		return nil, fmt.Errorf("the response is stale (next update was due %s)", resp.NextUpdate.UTC().Format(time.RFC3339))
	}
	return resp, nil
}

func verdict(who string, resp *ocsp.Response) error {
	switch resp.Status {
	case ocsp.Good:
		return nil
	case ocsp.Revoked:
		return fmt.Errorf("%s was revoked on %s", who, resp.RevokedAt.UTC().Format(time.RFC3339))
	}
	return fmt.Errorf("%s is unknown to its OCSP responder; refused", who)
}

func ocspCacheKey(leaf, issuer *x509.Certificate) [32]byte {
	h := sha256.New()
	h.Write(issuer.RawSubjectPublicKeyInfo)
	h.Write(leaf.SerialNumber.Bytes())
	var k [32]byte
	h.Sum(k[:0])
	return k
}
