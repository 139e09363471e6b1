package expr

import "strings"

// chunk is one piece of a template: literal text or the code between
// "{{" and "}}".
type chunk struct {
	text string
	code bool
}

// splitTemplate splits a template (the value after its leading "=") the way
// n8n's tmpl-compatible splitter does: the result always starts with a text
// chunk (possibly empty) and alternates text and code. "{{" preceded by an
// odd number of backslashes is literal text; "\\" before a "{{" that opens
// code is unescaped to "\"; an unclosed "{{" makes the rest of the value
// code.
//
// n8n ends a code chunk at the first "}}". weft ends it at the first "}}"
// that is outside string, template and regular-expression literals and
// comments and that does not close a brace opened inside the code, so
// {{ {a: {b: 1}}.a }} and {{ "}}" }} work; where the two differ n8n would
// have produced a syntax error.
func splitTemplate(s string) []chunk {
	var out []chunk
	var buf strings.Builder
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			buf.WriteString(s[i:])
			break
		}
		j += i
		if countBackslashes(s, j)%2 == 1 {
			buf.WriteString(s[i : j+2])
			i = j + 2
			continue
		}
		buf.WriteString(s[i:j])
		out = append(out, chunk{text: strings.ReplaceAll(buf.String(), `\\`, `\`)})
		buf.Reset()
		start := j + 2
		end, ok := scanCodeEnd(s, start)
		if !ok {
			out = append(out, chunk{text: unescapeClose(s[start:]), code: true})
			return out
		}
		out = append(out, chunk{text: unescapeClose(s[start:end]), code: true})
		i = end + 2
	}
	if buf.Len() > 0 || len(out) == 0 {
		out = append(out, chunk{text: buf.String()})
	}
	return out
}

func countBackslashes(s string, end int) int {
	n := 0
	for k := end - 1; k >= 0 && s[k] == '\\'; k-- {
		n++
	}
	return n
}

// unescapeClose turns the first `\}}` of a code chunk into `}}`, as n8n does.
func unescapeClose(code string) string {
	return strings.Replace(code, `\}}`, `}}`, 1)
}

// scanCodeEnd finds the "}}" that closes the code starting at s[start:].
// It falls back to the first unescaped "}}" when the JavaScript-aware scan
// finds none.
func scanCodeEnd(s string, start int) (int, bool) {
	if end, ok := scanJS(s, start); ok {
		return end, true
	}
	for i := start; i+1 < len(s); i++ {
		if s[i] == '}' && s[i+1] == '}' && countBackslashes(s, i)%2 == 0 {
			return i, true
		}
	}
	return 0, false
}

// scanJS walks JavaScript source from start, skipping string, template and
// regular-expression literals and comments, and returns the offset of the
// first "}}" at brace depth zero.
func scanJS(s string, start int) (int, bool) {
	// stack holds the open constructs: '{' a brace, '`' a template literal,
	// '$' the expression of a template substitution.
	var stack []byte
	regexOK := true // whether a '/' here would start a regular expression
	i := start
	for i < len(s) {
		c := s[i]
		top := byte(0)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top == '`' {
			switch {
			case c == '\\':
				i += 2
			case c == '`':
				stack = stack[:len(stack)-1]
				i++
				regexOK = false
			case c == '$' && i+1 < len(s) && s[i+1] == '{':
				stack = append(stack, '$')
				i += 2
				regexOK = true
			default:
				i++
			}
			continue
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\\':
			if strings.HasPrefix(s[i:], `\}}`) {
				i += 3
			} else {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			k := strings.IndexByte(s[i:], '\n')
			if k < 0 {
				return 0, false
			}
			i += k
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return 0, false
			}
			i += k + 4
		case c == '/' && regexOK:
			k, ok := skipRegex(s, i)
			if !ok {
				return 0, false
			}
			i = k
			regexOK = false
		case c == '"' || c == '\'':
			k, ok := skipString(s, i)
			if !ok {
				return 0, false
			}
			i = k
			regexOK = false
		case c == '`':
			stack = append(stack, '`')
			i++
		case c == '{' || c == '(' || c == '[':
			if c == '{' {
				stack = append(stack, '{')
			}
			i++
			regexOK = true
		case c == '}':
			switch top {
			case 0:
				if i+1 < len(s) && s[i+1] == '}' {
					return i, true
				}
				i++
			case '$':
				stack = stack[:len(stack)-1]
				i++
				regexOK = false
				continue
			default:
				stack = stack[:len(stack)-1]
				i++
			}
			regexOK = true
		case c == ')' || c == ']':
			i++
			regexOK = false
		case isIdentByte(c):
			k := i
			for k < len(s) && isIdentByte(s[k]) {
				k++
			}
			regexOK = regexKeywords[s[i:k]]
			i = k
		default:
			i++
			regexOK = true
		}
	}
	return 0, false
}

var regexKeywords = map[string]bool{
	"return": true, "typeof": true, "case": true, "do": true, "else": true, "in": true,
	"instanceof": true, "new": true, "delete": true, "void": true, "throw": true,
	"yield": true, "await": true, "of": true,
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
}

func skipString(s string, i int) (int, bool) {
	q := s[i]
	for k := i + 1; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++
		case q:
			return k + 1, true
		case '\n':
			return 0, false
		}
	}
	return 0, false
}

func skipRegex(s string, i int) (int, bool) {
	inClass := false
	for k := i + 1; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '/':
			if !inClass {
				k++
				for k < len(s) && isIdentByte(s[k]) && s[k] != '.' {
					k++
				}
				return k, true
			}
		case '\n':
			return 0, false
		}
	}
	return 0, false
}
