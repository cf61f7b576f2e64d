package profile

import (
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
)

// SecretFieldsKey is the key in Target.Fields listing (as []string) the fields
// whose value came from a STRATA_ENV_SECRET_* or DBT_ENV_SECRET_* variable, so
// that Redacted and PublicFields can hide them although their names are not
// secret ones. Adapters ignore it.
const SecretFieldsKey = "_secret_fields"

// Mask replaces a secret value wherever one would be shown.
const Mask = "****"

// secretKeys are field names whose values are always secret.
var secretKeys = map[string]bool{
	"password": true, "pass": true, "private_key": true, "private_key_passphrase": true,
	"token": true,
}

// IsSecretKey reports whether a profile field of this name is always secret.
func IsSecretKey(k string) bool { return secretKeys[strings.ToLower(k)] }

// IsSecretEnv reports whether an environment variable's value is secret
// (STRATA_ENV_SECRET_* or DBT_ENV_SECRET_*): it may be used but never shown.
func IsSecretEnv(name string) bool {
	return strings.HasPrefix(name, "STRATA_ENV_SECRET_") || strings.HasPrefix(name, "DBT_ENV_SECRET_")
}

// secretFields lists every field of t whose value must not be shown.
func secretFields(t adapter.Target) map[string]bool {
	out := map[string]bool{}
	for k := range t.Fields {
		if IsSecretKey(k) {
			out[k] = true
		}
	}
	switch s := t.Fields[SecretFieldsKey].(type) {
	case []string:
		for _, k := range s {
			out[k] = true
		}
	case []any:
		for _, k := range s {
			if ks, ok := k.(string); ok {
				out[ks] = true
			}
		}
	}
	return out
}

// Redacted returns t's fields for display (strata debug, logs, artifacts) with
// every secret value replaced by "****", plus the resolved profile, target,
// type, database, schema and threads. t is not modified.
func Redacted(t adapter.Target) map[string]any {
	secret := secretFields(t)
	out := make(map[string]any, len(t.Fields)+6)
	for k, v := range t.Fields {
		if k == SecretFieldsKey {
			continue
		}
		if secret[k] && v != nil && v != "" {
			out[k] = Mask
			continue
		}
		out[k] = v
	}
	out["profile"] = t.Profile
	out["target"] = t.Name
	out["type"] = t.Type
	out["database"] = t.Database
	out["schema"] = t.Schema
	out["threads"] = t.Threads
	return out
}

// PublicFields returns t's fields without the secret ones (dropped, not
// masked): what a template may see as `target`.
func PublicFields(t adapter.Target) map[string]any {
	secret := secretFields(t)
	out := make(map[string]any, len(t.Fields))
	for k, v := range t.Fields {
		if k != SecretFieldsKey && !secret[k] {
			out[k] = v
		}
	}
	return out
}

// SecretValues lists the non-empty secret values of t, longest first, for a
// caller that must scrub them from free text such as a driver's error message.
func SecretValues(t adapter.Target) []string {
	var out []string
	for k := range secretFields(t) {
		if s, ok := t.Fields[k].(string); ok && s != "" {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Scrub replaces every secret value of t found in s with "****".
func Scrub(t adapter.Target, s string) string {
	for _, v := range SecretValues(t) {
		s = strings.ReplaceAll(s, v, Mask)
	}
	return s
}
