package fakesnowflake

import "strings"

// TokenKind classifies one lexical piece of SQL text.
type TokenKind int

const (
	// Word is an unquoted word: keyword, identifier, function or type name.
	Word TokenKind = iota
	// Quoted is a double-quoted identifier, quotes included.
	Quoted
	// String is a single-quoted literal, quotes included.
	String
	// Comment is a -- or /* */ comment.
	Comment
	// Space is whitespace.
	Space
	// Punct is anything else (operators, commas, parentheses, numbers' digits…).
	Punct
)

// Token is one piece of SQL text; concatenating every token's Text gives the input back.
type Token struct {
	Kind TokenKind
	Text string
}

// Lex splits SQL into tokens. It knows Snowflake's quoting: ” and \' inside
// strings, "" inside quoted identifiers, $$…$$ strings and both comment styles.
func Lex(sql string) []Token {
	var toks []Token
	i := 0
	for i < len(sql) {
		c := sql[i]
		start := i
		switch {
		case c == '\'':
			i++
			for i < len(sql) {
				if sql[i] == '\\' && i+1 < len(sql) {
					i += 2
					continue
				}
				if sql[i] == '\'' {
					if i+1 < len(sql) && sql[i+1] == '\'' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			toks = append(toks, Token{String, sql[start:i]})
		case c == '$' && strings.HasPrefix(sql[i:], "$$"):
			end := strings.Index(sql[i+2:], "$$")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 4
			}
			toks = append(toks, Token{String, sql[start:i]})
		case c == '"':
			i++
			for i < len(sql) {
				if sql[i] == '"' {
					if i+1 < len(sql) && sql[i+1] == '"' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			toks = append(toks, Token{Quoted, sql[start:i]})
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				i = len(sql)
			} else {
				i += end
			}
			toks = append(toks, Token{Comment, sql[start:i]})
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 4
			}
			toks = append(toks, Token{Comment, sql[start:i]})
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			for i < len(sql) && (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\n' || sql[i] == '\r') {
				i++
			}
			toks = append(toks, Token{Space, sql[start:i]})
		case isWordStart(c):
			for i < len(sql) && isWordPart(sql[i]) {
				i++
			}
			toks = append(toks, Token{Word, sql[start:i]})
		default:
			i++
			toks = append(toks, Token{Punct, sql[start:i]})
		}
	}
	return toks
}

func isWordStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isWordPart(c byte) bool {
	return isWordStart(c) || (c >= '0' && c <= '9') || c == '$'
}

// SplitStatements splits a script on top-level semicolons, dropping empty
// statements (comments and whitespace only).
func SplitStatements(sql string) []string {
	var out []string
	var b strings.Builder
	meaningful := false
	flush := func() {
		if meaningful {
			out = append(out, strings.TrimSpace(b.String()))
		}
		b.Reset()
		meaningful = false
	}
	for _, t := range Lex(sql) {
		if t.Kind == Punct && t.Text == ";" {
			flush()
			continue
		}
		if t.Kind != Space && t.Kind != Comment {
			meaningful = true
		}
		b.WriteString(t.Text)
	}
	flush()
	return out
}

// FirstWords returns the first n words of a statement, upper-cased, skipping
// comments, whitespace and opening parentheses.
func FirstWords(sql string, n int) []string {
	var out []string
	for _, t := range Lex(sql) {
		if len(out) == n {
			break
		}
		switch t.Kind {
		case Word:
			out = append(out, strings.ToUpper(t.Text))
		case Space, Comment:
		case Punct:
			if t.Text != "(" {
				return out
			}
		default:
			return out
		}
	}
	return out
}
