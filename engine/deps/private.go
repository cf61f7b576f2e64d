package deps

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// privateProviderEnv holds the git providers dbt's platform configures: a JSON
// list of {org, url, token, provider}, url a template with {token}, {repo} and
// {group} (or {project}).
const privateProviderEnv = "DBT_ENV_PRIVATE_GIT_PROVIDER_INFO"

type privateProvider struct {
	Org      string `json:"org"`
	URL      string `json:"url"`
	Token    string `json:"token"`
	Provider string `json:"provider"`
}

// privateURL resolves `private: org/[group/]repo` to a git URL as dbt does:
// through the configured providers when there are any (the token becomes a
// secret), else over SSH to the provider's host (github by default).
func privateURL(env func(string) (string, bool), red *redactor, name, provider string) (string, error) {
	parts := strings.Split(name, "/")
	org, repo, group := parts[0], parts[len(parts)-1], strings.Join(parts[1:len(parts)-1], "/")
	ado := provider == "ado" || provider == "azure_devops" || provider == "azure_active_directory"
	if raw, ok := env(privateProviderEnv); ok && strings.TrimSpace(raw) != "" && strings.TrimSpace(raw) != "[]" {
		var provs []privateProvider
		if err := json.Unmarshal([]byte(raw), &provs); err != nil {
			return "", &Error{Problem: privateProviderEnv + " is not a JSON list of {org, url, token, provider}: " + err.Error(), Fix: "fix the variable or unset it to clone over SSH"}
		}
		for _, p := range provs {
			red.addSecret(p.Token)
		}
		for _, p := range provs {
			if p.Org != org || provider != "" && !sameProvider(p.Provider, provider) {
				continue
			}
			u := strings.NewReplacer("{token}", p.Token, "{repo}", repo, "{group}", group, "{project}", group).Replace(p.URL)
			pu, err := url.Parse(u)
			if err != nil {
				continue
			}
			path := strings.TrimSuffix(strings.TrimPrefix(pu.Path, "/"), ".git")
			path = strings.Replace(path, "/_git/", "/", 1)
			if path == name || (group == "" && strings.HasPrefix(path, org+"/") && strings.HasSuffix(path, "/"+repo)) {
				red.addURL(u, "private:"+name)
				return u, nil
			}
		}
		return "", &Error{Problem: fmt.Sprintf("no provider in %s matches %s", privateProviderEnv, name), Fix: "add one for org " + org + " or fix private:"}
	}
	switch {
	case provider == "" || provider == "github":
		return "git@github.com:" + name + ".git", nil
	case provider == "gitlab":
		return "git@gitlab.com:" + name + ".git", nil
	case ado:
		if len(parts) < 3 {
			return "", &Error{Problem: fmt.Sprintf("the %s provider needs org/project/repo, got %q", provider, name), Fix: "write private: org/project/repo"}
		}
		return "git@ssh.dev.azure.com:v3/" + name, nil
	}
	return "", &Error{Problem: fmt.Sprintf("unknown provider %q", provider), Fix: "use github, gitlab or ado"}
}

func sameProvider(a, b string) bool {
	norm := func(s string) string {
		if s == "azure_devops" || s == "azure_active_directory" {
			return "ado"
		}
		return s
	}
	return norm(a) == norm(b)
}
