package snowflake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/snowflakedb/gosnowflake"

	"github.com/strata-dev/strata/engine/adapter"
)

// Config turns a profile target into a driver configuration. It never builds a
// DSN string, so the password cannot leak into a log line or an error.
func Config(t adapter.Target) (*gosnowflake.Config, error) {
	f := fields(t.Fields)
	where := "profile " + t.Profile + ", target " + t.Name
	cfg := &gosnowflake.Config{
		Account:   f.str("account"),
		User:      f.str("user"),
		Password:  f.str("password"),
		Role:      f.str("role"),
		Warehouse: f.str("warehouse"),
		Database:  firstOf(t.Database, f.str("database")),
		Schema:    firstOf(t.Schema, f.str("schema")),
		Host:      f.str("host"),
		Protocol:  f.str("protocol"),
		Params:    map[string]*string{},
	}
	if cfg.Account == "" {
		return nil, fmt.Errorf("%s: set `account` (your Snowflake account identifier, e.g. xy12345.eu-west-1)", where)
	}
	if cfg.User == "" {
		return nil, fmt.Errorf("%s: set `user`", where)
	}
	if p, ok, err := f.int("port"); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	} else if ok {
		cfg.Port = p
	}
	if secs, ok, err := f.int("connect_timeout"); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	} else if ok {
		cfg.LoginTimeout = time.Duration(secs) * time.Second
	}
	if n, ok, err := f.int("connect_retries"); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	} else if ok {
		cfg.MaxRetryCount = n
	}

	// Results as JSON: the adapter scans plain values, and JSON is the format
	// every Snowflake endpoint (and the test fake) can serve.
	jsonFormat := "JSON"
	cfg.Params["GO_QUERY_RESULT_FORMAT"] = &jsonFormat
	if tag := f.str("query_tag"); tag != "" {
		cfg.Params["QUERY_TAG"] = &tag
	}
	if keep, ok := f.boolean("client_session_keep_alive"); ok && keep {
		v := "true"
		cfg.Params["CLIENT_SESSION_KEEP_ALIVE"] = &v
	}

	keyPath, keyText := f.str("private_key_path"), f.str("private_key")
	switch auth := strings.ToLower(f.str("authenticator")); {
	case keyPath != "" || keyText != "" || auth == "snowflake_jwt":
		key, err := privateKey(keyPath, keyText, f.str("private_key_passphrase"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		cfg.Authenticator = gosnowflake.AuthTypeJwt
		cfg.PrivateKey = key
		cfg.Password = ""
	case auth == "" || auth == "snowflake":
		if cfg.Password == "" {
			return nil, fmt.Errorf("%s: set `password` or `private_key_path` for user %s", where, cfg.User)
		}
	case auth == "externalbrowser":
		cfg.Authenticator = gosnowflake.AuthTypeExternalBrowser
	case auth == "oauth":
		cfg.Authenticator = gosnowflake.AuthTypeOAuth
		cfg.Token = f.str("token")
		if cfg.Token == "" {
			return nil, fmt.Errorf("%s: authenticator oauth needs `token`", where)
		}
	case auth == "username_password_mfa":
		cfg.Authenticator = gosnowflake.AuthTypeUsernamePasswordMFA
	default:
		return nil, fmt.Errorf("%s: unknown `authenticator` %q: use snowflake, snowflake_jwt, externalbrowser, oauth or username_password_mfa", where, auth)
	}
	return cfg, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type fields map[string]any

func (f fields) str(key string) string {
	v, ok := f[key]
	if !ok || v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func (f fields) int(key string) (int, bool, error) {
	s := f.str(key)
	if s == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false, fmt.Errorf("`%s` must be a whole number, not %q", key, s)
	}
	return n, true, nil
}

func (f fields) boolean(key string) (bool, bool) {
	s := strings.ToLower(f.str(key))
	switch s {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	}
	return false, false
}

// privateKey reads an RSA key for key-pair auth from a PEM file or text
// (PKCS#8, optionally encrypted with PBES2 as `openssl pkcs8 -topk8 -v2 aes256`
// writes it, or PKCS#1), or from base64 DER as dbt-snowflake accepts it.
func privateKey(path, text, passphrase string) (*rsa.PrivateKey, error) {
	field := "private_key"
	data := []byte(text)
	if path != "" {
		field = "private_key_path"
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read `private_key_path`: %w", err)
		}
		data = b
	}
	if len(data) == 0 {
		return nil, errors.New("authenticator snowflake_jwt needs `private_key_path` or `private_key`")
	}
	var der []byte
	var encrypted bool
	if block, _ := pem.Decode(data); block != nil {
		der = block.Bytes
		encrypted = block.Type == "ENCRYPTED PRIVATE KEY"
	} else {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
		if err != nil {
			return nil, fmt.Errorf("`%s` is neither PEM nor base64 DER", field)
		}
		der = b
	}
	if encrypted {
		if passphrase == "" {
			return nil, fmt.Errorf("`%s` is encrypted: set `private_key_passphrase`", field)
		}
		plain, err := decryptPKCS8(der, []byte(passphrase))
		if err != nil {
			return nil, fmt.Errorf("decrypt `%s`: %w (check `private_key_passphrase`)", field, err)
		}
		der = plain
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("`%s` is not an RSA key", field)
		}
		return rk, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("`%s` holds no RSA private key (PKCS#8 or PKCS#1)", field)
}

// ASN.1 shapes of an encrypted PKCS#8 key with PBES2 (RFC 8018).
type encryptedPKCS8 struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Cipher pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// decryptPKCS8 decrypts PBES2 (PBKDF2 with HMAC-SHA1/SHA256, AES-CBC or
// 3DES-CBC): what OpenSSL writes for encrypted PKCS#8 keys.
func decryptPKCS8(der, pass []byte) ([]byte, error) {
	var enc encryptedPKCS8
	if _, err := asn1.Unmarshal(der, &enc); err != nil {
		return nil, fmt.Errorf("not an encrypted PKCS#8 key: %w", err)
	}
	if !enc.Algo.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("unsupported key encryption %v (use PBES2: openssl pkcs8 -topk8 -v2 aes256)", enc.Algo.Algorithm)
	}
	var p pbes2Params
	if _, err := asn1.Unmarshal(enc.Algo.Parameters.FullBytes, &p); err != nil {
		return nil, err
	}
	if !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("unsupported key derivation %v", p.KDF.Algorithm)
	}
	var kp pbkdf2Params
	if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &kp); err != nil {
		return nil, err
	}
	var prf func() hash.Hash
	switch {
	case len(kp.PRF.Algorithm) == 0 || kp.PRF.Algorithm.Equal(oidHMACSHA1):
		prf = sha1.New
	case kp.PRF.Algorithm.Equal(oidHMACSHA256):
		prf = sha256.New
	default:
		return nil, fmt.Errorf("unsupported PBKDF2 hash %v", kp.PRF.Algorithm)
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch {
	case p.Cipher.Algorithm.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case p.Cipher.Algorithm.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case p.Cipher.Algorithm.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case p.Cipher.Algorithm.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, fmt.Errorf("unsupported cipher %v", p.Cipher.Algorithm)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(p.Cipher.Parameters.FullBytes, &iv); err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(prf, string(pass), kp.Salt, kp.Iterations, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	if len(enc.Data)%block.BlockSize() != 0 || len(iv) != block.BlockSize() {
		return nil, errors.New("malformed encrypted key")
	}
	out := make([]byte, len(enc.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, enc.Data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > block.BlockSize() || pad > len(out) {
		return nil, errors.New("wrong passphrase")
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, errors.New("wrong passphrase")
		}
	}
	return out[:len(out)-pad], nil
}
