package api

import (
	"reflect"
	"strconv"
	"strings"
)

type reflectStructField = reflect.StructField

// jsonName names a struct field as its JSON tag does, for validation
// messages.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || name == "" {
		return f.Name
	}
	return name
}

func atoi(s string) (int, error) { return strconv.Atoi(s) }
