package expr

import (
	"reflect"

	"github.com/dop251/goja/ast"
)

// visitor walks every node of a goja AST by reflection. It is used at
// compile time only (results are cached), so its speed matters little.
type visitor struct {
	f func(ast.Node)
}

var (
	nodeType   = reflect.TypeOf((*ast.Node)(nil)).Elem()
	astPkgPath = reflect.TypeOf(ast.Identifier{}).PkgPath()
)

func (v *visitor) node(n ast.Node) {
	rv := reflect.ValueOf(n)
	if n == nil || rv.Kind() == reflect.Pointer && rv.IsNil() {
		return
	}
	v.f(n)
	if rv.Kind() == reflect.Pointer {
		v.fields(rv.Elem())
	}
}

func (v *visitor) fields(rv reflect.Value) {
	if rv.Kind() != reflect.Struct || rv.Type().PkgPath() != astPkgPath {
		return
	}
	for i := 0; i < rv.NumField(); i++ {
		if rv.Type().Field(i).IsExported() {
			v.value(rv.Field(i))
		}
	}
}

func (v *visitor) value(rv reflect.Value) {
	switch rv.Kind() {
	case reflect.Interface, reflect.Pointer:
		if rv.IsNil() {
			return
		}
		if n, ok := rv.Interface().(ast.Node); ok {
			v.node(n)
			return
		}
		if rv.Kind() == reflect.Interface {
			v.value(rv.Elem())
		} else {
			v.fields(rv.Elem())
		}
	case reflect.Struct:
		if rv.CanAddr() && reflect.PointerTo(rv.Type()).Implements(nodeType) {
			v.node(rv.Addr().Interface().(ast.Node))
			return
		}
		v.fields(rv)
	case reflect.Slice:
		for i := 0; i < rv.Len(); i++ {
			v.value(rv.Index(i))
		}
	}
}
