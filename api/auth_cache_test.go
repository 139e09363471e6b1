package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestVerifiedTokensExpire: a remembered token stops being one once its
// expiry (plus the leeway parseAccess allows) has passed, and the set
// stays within its bound.
func TestVerifiedTokensExpire(t *testing.T) {
	t0 := time.Now()
	v := newVerifiedTokens(3)
	c := &accessClaims{Session: "s", RegisteredClaims: jwt.RegisteredClaims{Subject: "u", ExpiresAt: jwt.NewNumericDate(t0.Add(time.Minute))}}
	v.put("tok", c)
	if got, ok := v.get("tok", t0); !ok || got != c {
		t.Fatalf("fresh token: %v %v", got, ok)
	}
	if _, ok := v.get("tok", t0.Add(time.Minute+tokenLeeway/2)); !ok {
		t.Fatal("token refused within the leeway")
	}
	if _, ok := v.get("tok", t0.Add(time.Minute+tokenLeeway)); ok {
		t.Fatal("expired token still remembered")
	}
	if _, ok := v.get("tok", t0); ok {
		t.Fatal("an expired token is forgotten, not kept for later")
	}
	v.put("no-expiry", &accessClaims{})
	if _, ok := v.get("no-expiry", t0); ok {
		t.Fatal("a token without expiry was remembered")
	}
	for i := range 10 {
		v.put(fmt.Sprint("t", i), c)
	}
	if n := len(v.claims); n != 3 {
		t.Fatalf("%d tokens kept, bound 3", n)
	}
}
