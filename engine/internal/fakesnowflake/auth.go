package fakesnowflake

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// verifyJWT checks a key-pair login token the way Snowflake does: an RS256
// signature by a key registered for the user named in sub, iss carrying that
// key's SHA-256 fingerprint, and an expiry in the future. It returns the user.
func (s *Server) verifyJWT(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("not a JWT")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	if header.Alg != "RS256" {
		return "", fmt.Errorf("alg %q, want RS256", header.Alg)
	}
	var claims struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return "", fmt.Errorf("claims: %w", err)
	}
	account, user, found := strings.Cut(claims.Sub, ".")
	if !found || !strings.EqualFold(account, s.Account) {
		return "", fmt.Errorf("sub %q does not name account %s", claims.Sub, s.Account)
	}
	user = strings.ToUpper(user)
	if claims.Exp < time.Now().Unix() {
		return "", errors.New("token expired")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", fmt.Errorf("signature: %w", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	s.mu.Lock()
	keys := s.keys[user]
	s.mu.Unlock()
	for _, k := range keys {
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig) != nil {
			continue
		}
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return "", err
		}
		fp := sha256.Sum256(der)
		want := strings.ToUpper(claims.Sub) + ".SHA256:" + base64.StdEncoding.EncodeToString(fp[:])
		if !strings.EqualFold(claims.Iss, want) {
			return "", fmt.Errorf("iss %q does not carry the key's fingerprint", claims.Iss)
		}
		return user, nil
	}
	return "", fmt.Errorf("no public key registered for %s verifies the signature", user)
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
