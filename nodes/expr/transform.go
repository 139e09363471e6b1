package expr

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
)

// Names of the helpers the rewritten code calls. They live on the base
// global object, non-writable; user code may not declare them.
const (
	helperExt      = "__ext"
	helperExtOpt   = "__extOpt"
	helperSanitize = "__sanitize"
)

var reservedNames = map[string]bool{
	helperExt: true, helperExtOpt: true, helperSanitize: true, "___n8n_data": true,
}

// unsafeProps are the property names n8n refuses in expressions.
var unsafeProps = map[string]bool{
	"__proto__": true, "prototype": true, "constructor": true, "getPrototypeOf": true,
	"mainModule": true, "binding": true, "_load": true, "prepareStackTrace": true,
}

var constructorRe = regexp.MustCompile(`\.\s*constructor`)

// edit is one change to the source: text replaces src[pos:end] (an
// insertion when pos == end). depth orders insertions at the same position:
// the enclosing construct's text comes first.
type edit struct {
	pos, end int
	text     string
	depth    int
}

// rewriter turns one {{ }} code chunk into the JavaScript weft runs: n8n
// extension calls become __ext(...) calls, $if(...) becomes a conditional,
// and the sandbox rules of n8n's expression sanitizer are applied.
type rewriter struct {
	src    string
	edits  []edit
	opaque [][2]int // string, template and regexp literal ranges
	idents map[string]bool
	err    error
	// sanitize enables n8n's expression sandbox rules.
	sanitize bool
}

// rewriteExpression parses code as n8n parses an expression chunk and
// returns the rewritten expression source and the identifiers it references.
func rewriteExpression(code string) (_ string, _ []string, err error) {
	defer func() {
		// A rewriter bug must fail the expression, not the process.
		if r := recover(); r != nil {
			err = &Error{Kind: KindSyntax, Message: "invalid syntax: the expression cannot be compiled"}
		}
	}()
	if err := checkSource(code); err != nil {
		return "", nil, err
	}
	prg, err := parser.ParseFile(nil, "", code, 0)
	src := code
	// A chunk that starts with "{" is an object literal, as n8n evaluates
	// it, even where it would also parse as a block ("{a: 1}").
	if strings.HasPrefix(strings.TrimSpace(code), "{") && (err != nil || !isExpressionStatement(prg)) {
		src = "(" + code + ")"
		prg, err = parser.ParseFile(nil, "", src, 0)
	}
	if err != nil {
		return "", nil, syntaxError(err)
	}
	if len(prg.Body) == 0 {
		return "", nil, &Error{Kind: KindSyntax, Message: "invalid syntax"}
	}
	if err := checkAST(prg); err != nil {
		return "", nil, err
	}
	st, ok := prg.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return "", nil, &Error{Kind: KindSyntax, Message: "invalid syntax"}
	}
	rw := &rewriter{src: src, idents: map[string]bool{}, sanitize: true}
	rw.collectOpaque(prg)
	rw.expr(st.Expression, 0)
	if rw.err != nil {
		return "", nil, rw.err
	}
	s, e := rw.span(st.Expression)
	return "(" + rw.apply(s, e) + ")", rw.identList(), nil
}

func isExpressionStatement(prg *ast.Program) bool {
	if len(prg.Body) == 0 {
		return false
	}
	_, ok := prg.Body[0].(*ast.ExpressionStatement)
	return ok
}

// scanIdentifiers returns the identifiers a Code-node script references.
func scanIdentifiers(prg *ast.Program) []string {
	rw := &rewriter{idents: map[string]bool{}}
	for _, st := range prg.Body {
		rw.stmt(st, 0)
	}
	return rw.identList()
}

func (rw *rewriter) identList() []string {
	out := make([]string, 0, len(rw.idents))
	for k := range rw.idents {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (rw *rewriter) fail(format string, args ...any) {
	if rw.err == nil {
		rw.err = &Error{Kind: KindSecurity, Message: fmt.Sprintf(format, args...)}
	}
}

// off converts a parser index (1-based) to a byte offset.
func off(i file.Idx) int { return int(i) - 1 }

func (rw *rewriter) add(pos, end int, text string, depth int) {
	rw.edits = append(rw.edits, edit{pos: pos, end: end, text: text, depth: depth})
}

// apply returns src[s:e] with the edits inside that range applied.
func (rw *rewriter) apply(s, e int) string {
	ed := make([]edit, 0, len(rw.edits))
	for _, x := range rw.edits {
		if x.pos >= s && x.end <= e {
			ed = append(ed, x)
		}
	}
	sort.SliceStable(ed, func(i, j int) bool {
		a, b := ed[i], ed[j]
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		ai, bi := a.pos == a.end, b.pos == b.end
		if ai != bi {
			return ai // insertions before replacements
		}
		return a.depth < b.depth
	})
	var sb strings.Builder
	cur := s
	for _, x := range ed {
		if x.pos < cur {
			continue // overlapping edit; cannot happen for well-formed input
		}
		sb.WriteString(rw.src[cur:x.pos])
		sb.WriteString(x.text)
		cur = x.end
	}
	sb.WriteString(rw.src[cur:e])
	return sb.String()
}

// collectOpaque records the ranges of literals whose text must not be
// scanned for parentheses.
func (rw *rewriter) collectOpaque(prg *ast.Program) {
	walk := func(n ast.Node) {
		switch x := n.(type) {
		case *ast.StringLiteral:
			rw.opaque = append(rw.opaque, [2]int{off(x.Idx0()), off(x.Idx1())})
		case *ast.RegExpLiteral:
			rw.opaque = append(rw.opaque, [2]int{off(x.Idx), off(x.Idx) + len(x.Literal)})
		case *ast.TemplateLiteral:
			for _, el := range x.Elements {
				rw.opaque = append(rw.opaque, [2]int{off(el.Idx0()), off(el.Idx1())})
			}
		}
	}
	visitAll(prg, walk)
	sort.Slice(rw.opaque, func(i, j int) bool { return rw.opaque[i][0] < rw.opaque[j][0] })
}

// skipOpaque returns the end of the opaque range or comment starting at i,
// or i when none starts there.
func (rw *rewriter) skipOpaque(i int) int {
	k := sort.Search(len(rw.opaque), func(j int) bool { return rw.opaque[j][1] > i })
	if k < len(rw.opaque) && rw.opaque[k][0] <= i {
		return rw.opaque[k][1]
	}
	if strings.HasPrefix(rw.src[i:], "//") {
		if n := strings.IndexByte(rw.src[i:], '\n'); n >= 0 {
			return i + n
		}
		return len(rw.src)
	}
	if strings.HasPrefix(rw.src[i:], "/*") {
		if n := strings.Index(rw.src[i+2:], "*/"); n >= 0 {
			return i + n + 4
		}
		return len(rw.src)
	}
	return i
}

// span returns the source range of n including the parentheses that wrap
// it or one of its outermost children (the parser keeps no parentheses).
func (rw *rewriter) span(n ast.Node) (int, int) {
	s, e := off(n.Idx0()), off(n.Idx1())
	// goja's end index of a name with non-ASCII letters may count UTF-16
	// units, not bytes: keep the range inside the source.
	e = min(max(e, 0), len(rw.src))
	s = min(max(s, 0), e)
	bal, minBal := 0, 0
	for i := s; i < e; {
		if j := rw.skipOpaque(i); j != i {
			i = j
			continue
		}
		switch rw.src[i] {
		case '(':
			bal++
		case ')':
			bal--
			if bal < minBal {
				minBal = bal
			}
		}
		i++
	}
	for k := 0; k < -minBal; k++ {
		p := s - 1
		for p >= 0 && isSpace(rw.src[p]) {
			p--
		}
		if p < 0 || rw.src[p] != '(' {
			break
		}
		s = p
	}
	for k := 0; k < bal-minBal; k++ {
		p := e
		for p < len(rw.src) {
			if isSpace(rw.src[p]) {
				p++
				continue
			}
			if j := rw.skipOpaque(p); j != p {
				p = j
				continue
			}
			break
		}
		if p >= len(rw.src) || rw.src[p] != ')' {
			break
		}
		e = p + 1
	}
	return s, e
}

// wrapped extends [s, e) over parentheses that wrap it, staying inside
// [lo, hi).
func (rw *rewriter) wrapped(s, e, lo, hi int) (int, int) {
	for {
		p := s - 1
		for p >= lo && isSpace(rw.src[p]) {
			p--
		}
		q := e
		for q < hi && isSpace(rw.src[q]) {
			q++
		}
		if p < lo || q >= hi || rw.src[p] != '(' || rw.src[q] != ')' {
			return s, e
		}
		s, e = p, q+1
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// extCall rewrites X.name(args) into __ext(X, "name", args).
func (rw *rewriter) extCall(call *ast.CallExpression, recv ast.Expression, name string, optional bool, depth int) {
	if o, ok := recv.(*ast.Optional); ok {
		recv = o.Expression
		optional = true
	}
	if !optional && chainHasOptional(recv) {
		optional = true
	}
	helper := helperExt
	if optional {
		helper = helperExtOpt
	}
	lp := off(call.LeftParenthesis)
	rs, re := rw.span(recv)
	rs, re = rw.wrapped(rs, re, 0, lp)
	rw.add(rs, rs, helper+"(", depth)
	sep := ""
	if len(call.ArgumentList) > 0 {
		sep = ", "
	}
	rw.add(re, lp+1, ", "+strconv.Quote(name)+sep, depth)
}

// chainHasOptional reports whether an optional link ("?.") precedes the end
// of the member/call chain e.
func chainHasOptional(e ast.Expression) bool {
	for {
		switch x := e.(type) {
		case *ast.Optional:
			return true
		case *ast.DotExpression:
			e = x.Left
		case *ast.BracketExpression:
			e = x.Left
		case *ast.CallExpression:
			e = x.Callee
		default:
			return false
		}
	}
}

// ifCall rewrites $if(test, a[, b]) into (test) ? (a) : (b | false).
func (rw *rewriter) ifCall(call *ast.CallExpression, depth int) {
	args := call.ArgumentList
	for _, a := range args {
		if _, ok := a.(*ast.SpreadElement); ok {
			return
		}
	}
	if len(args) < 2 {
		if rw.err == nil {
			rw.err = &Error{Kind: KindRuntime, Message: "$if requires at least 2 parameters: test, value_if_true[, and value_if_false]"}
		}
		return
	}
	cs, _ := rw.span(call.Callee)
	lp, rp := off(call.LeftParenthesis), off(call.RightParenthesis)
	arg := func(a ast.Expression) (int, int) {
		s, e := rw.span(a)
		return rw.wrapped(s, e, lp+1, rp)
	}
	_, e0 := arg(args[0])
	s1, e1 := arg(args[1])
	rw.add(cs, lp+1, "((", depth)
	rw.add(e0, s1, ") ? (", depth)
	if len(args) == 2 {
		rw.add(e1, rp+1, ") : false)", depth)
		return
	}
	s2, e2 := arg(args[2])
	rw.add(e1, s2, ") : (", depth)
	rw.add(e2, rp+1, "))", depth)
}

func (rw *rewriter) checkProp(name string) {
	if rw.sanitize && unsafeProps[name] {
		rw.fail("Cannot access %q due to security concerns", name)
	}
}

func (rw *rewriter) checkDecl(name string) {
	if rw.sanitize && reservedNames[name] {
		rw.fail("Cannot use %q as a variable name", name)
	}
}

func (rw *rewriter) exprs(list []ast.Expression, depth int) {
	for _, e := range list {
		rw.expr(e, depth)
	}
}

// expr walks an expression in reference position.
func (rw *rewriter) expr(n ast.Expression, depth int) {
	if n == nil || rw.err != nil {
		return
	}
	d := depth + 1
	switch x := n.(type) {
	case *ast.Identifier:
		name := string(x.Name)
		rw.idents[name] = true
		if rw.sanitize {
			if name == "$" {
				rw.fail(`Cannot access "$" without calling it as a function`)
			}
			if name == "globalThis" {
				rw.add(off(x.Idx0()), off(x.Idx1()), "({})", d)
			}
		}
	case *ast.ThisExpression:
		if rw.sanitize {
			rw.add(off(x.Idx0()), off(x.Idx1()), "({process: {}})", d)
		}
	case *ast.CallExpression:
		switch c := x.Callee.(type) {
		case *ast.Identifier:
			name := string(c.Name)
			rw.idents[name] = true
			if rw.sanitize && name == "$if" {
				rw.ifCall(x, d)
			}
		case *ast.DotExpression:
			if rw.sanitize && extensionNames[string(c.Identifier.Name)] {
				rw.extCall(x, c.Left, string(c.Identifier.Name), false, d)
			}
			rw.expr(x.Callee, d)
		case *ast.Optional:
			if dot, ok := c.Expression.(*ast.DotExpression); ok && rw.sanitize && extensionNames[string(dot.Identifier.Name)] {
				rw.extCall(x, dot.Left, string(dot.Identifier.Name), true, d)
			}
			rw.expr(x.Callee, d)
		default:
			rw.expr(x.Callee, d)
		}
		rw.exprs(x.ArgumentList, d)
	case *ast.DotExpression:
		rw.checkProp(string(x.Identifier.Name))
		rw.expr(x.Left, d)
	case *ast.PrivateDotExpression:
		rw.expr(x.Left, d)
	case *ast.BracketExpression:
		rw.expr(x.Left, d)
		switch m := x.Member.(type) {
		case *ast.StringLiteral:
			rw.checkProp(string(m.Value))
		case *ast.NumberLiteral:
		default:
			if rw.sanitize {
				s, e := rw.span(x.Member)
				s, e = rw.wrapped(s, e, off(x.LeftBracket)+1, off(x.RightBracket))
				rw.add(s, s, helperSanitize+"(", d)
				rw.add(e, e, ")", d)
			}
			rw.expr(x.Member, d)
		}
	case *ast.Optional:
		rw.expr(x.Expression, d)
	case *ast.OptionalChain:
		rw.expr(x.Expression, d)
	case *ast.ArrayLiteral:
		rw.exprs(x.Value, d)
	case *ast.ArrayPattern:
		rw.pattern(x, d)
	case *ast.ObjectPattern:
		rw.pattern(x, d)
	case *ast.AssignExpression:
		rw.target(x.Left, d)
		rw.expr(x.Right, d)
	case *ast.AwaitExpression:
		rw.expr(x.Argument, d)
	case *ast.YieldExpression:
		rw.expr(x.Argument, d)
	case *ast.BinaryExpression:
		rw.expr(x.Left, d)
		rw.expr(x.Right, d)
	case *ast.ConditionalExpression:
		rw.expr(x.Test, d)
		rw.expr(x.Consequent, d)
		rw.expr(x.Alternate, d)
	case *ast.FunctionLiteral:
		rw.function(x.Name, x.ParameterList, x.Body, d)
	case *ast.ArrowFunctionLiteral:
		rw.params(x.ParameterList, d)
		switch b := x.Body.(type) {
		case *ast.BlockStatement:
			rw.stmt(b, d)
		case *ast.ExpressionBody:
			rw.expr(b.Expression, d)
		}
	case *ast.ClassLiteral:
		rw.class(x, d)
	case *ast.NewExpression:
		rw.expr(x.Callee, d)
		rw.exprs(x.ArgumentList, d)
	case *ast.ObjectLiteral:
		for _, p := range x.Value {
			rw.property(p, d)
		}
	case *ast.SequenceExpression:
		rw.exprs(x.Sequence, d)
	case *ast.SpreadElement:
		rw.expr(x.Expression, d)
	case *ast.TemplateLiteral:
		rw.expr(x.Tag, d)
		rw.exprs(x.Expressions, d)
	case *ast.UnaryExpression:
		rw.expr(x.Operand, d)
	case *ast.MetaProperty, *ast.StringLiteral, *ast.NumberLiteral, *ast.BooleanLiteral,
		*ast.NullLiteral, *ast.RegExpLiteral, *ast.SuperExpression, *ast.BadExpression, *ast.PrivateIdentifier:
	}
}

func (rw *rewriter) property(p ast.Property, d int) {
	switch q := p.(type) {
	case *ast.PropertyShort:
		rw.idents[string(q.Name.Name)] = true
		rw.expr(q.Initializer, d)
	case *ast.PropertyKeyed:
		if q.Computed {
			rw.expr(q.Key, d)
		}
		rw.expr(q.Value, d)
	case *ast.SpreadElement:
		rw.expr(q.Expression, d)
	}
}

// target walks the left side of an assignment.
func (rw *rewriter) target(n ast.Expression, d int) {
	switch x := n.(type) {
	case *ast.ObjectPattern, *ast.ArrayPattern:
		rw.pattern(x, d)
	default:
		rw.expr(n, d)
	}
}

// pattern walks a destructuring pattern, refusing the keys n8n refuses.
func (rw *rewriter) pattern(n ast.Expression, d int) {
	switch x := n.(type) {
	case *ast.ObjectPattern:
		for _, p := range x.Properties {
			switch q := p.(type) {
			case *ast.PropertyShort:
				rw.checkDestructure(string(q.Name.Name))
				rw.checkDecl(string(q.Name.Name))
				rw.idents[string(q.Name.Name)] = true
				rw.expr(q.Initializer, d)
			case *ast.PropertyKeyed:
				if q.Computed {
					if rw.sanitize {
						rw.fail("Computed property names are not allowed in destructuring")
					}
				} else {
					switch k := q.Key.(type) {
					case *ast.Identifier:
						rw.checkDestructure(string(k.Name))
					case *ast.StringLiteral:
						rw.checkDestructure(string(k.Value))
					}
				}
				rw.binding(q.Value, d)
			}
		}
		rw.binding(x.Rest, d)
	case *ast.ArrayPattern:
		for _, e := range x.Elements {
			rw.binding(e, d)
		}
		rw.binding(x.Rest, d)
	}
}

func (rw *rewriter) checkDestructure(name string) {
	if rw.sanitize && unsafeProps[name] {
		rw.fail("Cannot destructure %q due to security concerns", name)
	}
}

// binding walks a binding target (a declared name or a pattern).
func (rw *rewriter) binding(n ast.Expression, d int) {
	switch x := n.(type) {
	case nil:
	case *ast.Identifier:
		rw.checkDecl(string(x.Name))
	case *ast.ObjectPattern, *ast.ArrayPattern:
		rw.pattern(x, d)
	case *ast.AssignExpression:
		rw.binding(x.Left, d)
		rw.expr(x.Right, d)
	default:
		rw.expr(n, d)
	}
}

func (rw *rewriter) bindings(list []*ast.Binding, d int) {
	for _, b := range list {
		rw.binding(b.Target, d)
		rw.expr(b.Initializer, d)
	}
}

func (rw *rewriter) params(pl *ast.ParameterList, d int) {
	if pl == nil {
		return
	}
	rw.bindings(pl.List, d)
	rw.binding(pl.Rest, d)
}

func (rw *rewriter) function(name *ast.Identifier, pl *ast.ParameterList, body *ast.BlockStatement, d int) {
	if name != nil {
		rw.checkDecl(string(name.Name))
	}
	rw.params(pl, d)
	if body != nil {
		rw.stmt(body, d)
	}
}

var blockedBaseClasses = map[string]bool{
	"Function": true, "GeneratorFunction": true, "AsyncFunction": true, "AsyncGeneratorFunction": true,
}

func (rw *rewriter) class(c *ast.ClassLiteral, d int) {
	if id, ok := c.SuperClass.(*ast.Identifier); ok && rw.sanitize && blockedBaseClasses[string(id.Name)] {
		rw.fail("Cannot extend %q due to security concerns", string(id.Name))
	}
	rw.expr(c.SuperClass, d)
	for _, el := range c.Body {
		switch m := el.(type) {
		case *ast.MethodDefinition:
			if m.Computed {
				rw.expr(m.Key, d)
			}
			rw.expr(m.Body, d)
		case *ast.FieldDefinition:
			if m.Computed {
				rw.expr(m.Key, d)
			}
			rw.expr(m.Initializer, d)
		case *ast.ClassStaticBlock:
			rw.stmt(m.Block, d)
		}
	}
}

func (rw *rewriter) stmts(list []ast.Statement, d int) {
	for _, s := range list {
		rw.stmt(s, d)
	}
}

func (rw *rewriter) stmt(n ast.Statement, depth int) {
	if n == nil || rw.err != nil {
		return
	}
	d := depth + 1
	switch x := n.(type) {
	case *ast.BlockStatement:
		rw.stmts(x.List, d)
	case *ast.CaseStatement:
		rw.expr(x.Test, d)
		rw.stmts(x.Consequent, d)
	case *ast.CatchStatement:
		rw.binding(x.Parameter, d)
		rw.stmt(x.Body, d)
	case *ast.DoWhileStatement:
		rw.stmt(x.Body, d)
		rw.expr(x.Test, d)
	case *ast.ExpressionStatement:
		rw.expr(x.Expression, d)
	case *ast.ForInStatement:
		rw.forInto(x.Into, d)
		rw.expr(x.Source, d)
		rw.stmt(x.Body, d)
	case *ast.ForOfStatement:
		rw.forInto(x.Into, d)
		rw.expr(x.Source, d)
		rw.stmt(x.Body, d)
	case *ast.ForStatement:
		switch in := x.Initializer.(type) {
		case *ast.ForLoopInitializerExpression:
			rw.expr(in.Expression, d)
		case *ast.ForLoopInitializerVarDeclList:
			rw.bindings(in.List, d)
		case *ast.ForLoopInitializerLexicalDecl:
			rw.bindings(in.LexicalDeclaration.List, d)
		}
		rw.expr(x.Test, d)
		rw.expr(x.Update, d)
		rw.stmt(x.Body, d)
	case *ast.IfStatement:
		rw.expr(x.Test, d)
		rw.stmt(x.Consequent, d)
		rw.stmt(x.Alternate, d)
	case *ast.LabelledStatement:
		rw.stmt(x.Statement, d)
	case *ast.ReturnStatement:
		rw.expr(x.Argument, d)
	case *ast.SwitchStatement:
		rw.expr(x.Discriminant, d)
		for _, c := range x.Body {
			rw.stmt(c, d)
		}
	case *ast.ThrowStatement:
		rw.expr(x.Argument, d)
	case *ast.TryStatement:
		rw.stmt(x.Body, d)
		if x.Catch != nil {
			rw.stmt(x.Catch, d)
		}
		if x.Finally != nil {
			rw.stmt(x.Finally, d)
		}
	case *ast.VariableStatement:
		rw.bindings(x.List, d)
	case *ast.LexicalDeclaration:
		rw.bindings(x.List, d)
	case *ast.WhileStatement:
		rw.expr(x.Test, d)
		rw.stmt(x.Body, d)
	case *ast.WithStatement:
		if rw.sanitize {
			rw.fail("with statements are not allowed due to security concerns")
		}
		rw.expr(x.Object, d)
		rw.stmt(x.Body, d)
	case *ast.FunctionDeclaration:
		rw.expr(x.Function, d)
	case *ast.ClassDeclaration:
		rw.class(x.Class, d)
	}
}

func (rw *rewriter) forInto(n ast.ForInto, d int) {
	switch x := n.(type) {
	case *ast.ForIntoVar:
		rw.binding(x.Binding.Target, d)
		rw.expr(x.Binding.Initializer, d)
	case *ast.ForDeclaration:
		rw.binding(x.Target, d)
	case *ast.ForIntoExpression:
		rw.target(x.Expression, d)
	}
}

// visitAll calls f for every literal node in prg; it walks the tree the
// same way the rewriter does, without rewriting.
func visitAll(prg *ast.Program, f func(ast.Node)) {
	v := &visitor{f: f}
	for _, s := range prg.Body {
		v.node(s)
	}
}
