package expr

import (
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

const (
	scriptName = "code.js"
	exprName   = "expression.js"
	// scriptLineOffset is how many lines the wrapper puts before the
	// user's first line.
	scriptLineOffset = 1
)

// tmpl is a compiled template.
type tmpl struct {
	// literal: the template has no code; text is the result.
	literal bool
	text    string
	// raw: the template is one code block with nothing around it; its
	// value is returned as is.
	raw    bool
	parts  []tpart
	idents []string
	// fast: every code block has a fast form (fast.go).
	fast bool
}

// tpart is a text piece (prog == nil) or a compiled code block, with its
// fast form when it has one.
type tpart struct {
	text string
	prog *goja.Program
	fast *fastNode
}

type compiled struct {
	t   *tmpl
	s   *script
	err error
}

func (e *Engine) template(src string) (*tmpl, error) {
	key := cacheKey{src: src}
	if c, ok := e.cache.get(key); ok {
		cc := c.(*compiled)
		return cc.t, cc.err
	}
	t, err := compileTemplate(src)
	e.cache.add(key, &compiled{t: t, err: err})
	return t, err
}

func compileTemplate(src string) (*tmpl, error) {
	if src == "" {
		return &tmpl{literal: true}, nil
	}
	if constructorRe.MatchString(src) {
		return nil, &Error{Kind: KindSecurity, Message: "Expression contains invalid constructor function call"}
	}
	chunks := splitTemplate(src)
	if len(chunks) == 1 {
		return &tmpl{literal: true, text: chunks[0].text}, nil
	}
	t := &tmpl{raw: len(chunks) == 2 && chunks[0].text == "", fast: true}
	seen := map[string]bool{}
	for _, c := range chunks {
		if !c.code {
			if c.text != "" {
				t.parts = append(t.parts, tpart{text: c.text})
			}
			continue
		}
		js, idents, err := rewriteExpression(c.text)
		if err != nil {
			return nil, err
		}
		prog, err := goja.Compile(exprName, js, false)
		if err != nil {
			return nil, syntaxError(err)
		}
		fast := compileFast(c.text)
		t.fast = t.fast && fast != nil
		t.parts = append(t.parts, tpart{prog: prog, fast: fast})
		for _, id := range idents {
			if !seen[id] {
				seen[id] = true
				t.idents = append(t.idents, id)
			}
		}
	}
	return t, nil
}

// script is a compiled Code-node script.
type script struct {
	prog   *goja.Program
	idents []string
	async  bool
}

func (e *Engine) script(code string) (*script, error) {
	key := cacheKey{script: true, src: code}
	if c, ok := e.cache.get(key); ok {
		cc := c.(*compiled)
		return cc.s, cc.err
	}
	s, err := compileScript(code)
	e.cache.add(key, &compiled{s: s, err: err})
	return s, err
}

func compileScript(code string) (*script, error) {
	async := strings.Contains(code, "await")
	head := "(function () {\n"
	if async {
		head = "(async function () {\n"
	}
	src := head + code + "\n})"
	if err := checkSource(src); err != nil {
		return nil, err
	}
	prg, err := parser.ParseFile(nil, scriptName, src, 0)
	if err != nil {
		e := syntaxError(err)
		if pe, ok := err.(parser.ErrorList); ok && len(pe) > 0 {
			e.Line = pe[0].Position.Line - scriptLineOffset
		}
		return nil, e
	}
	if err := checkAST(prg); err != nil {
		return nil, err
	}
	prog, err := goja.CompileAST(prg, false)
	if err != nil {
		return nil, syntaxError(err)
	}
	return &script{prog: prog, idents: scanIdentifiers(prg), async: async}, nil
}
