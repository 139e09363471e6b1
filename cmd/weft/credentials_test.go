package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weft/weft/persistence"
)

func TestRotateKeyCommand(t *testing.T) {
	const oldKey, newKey = "old-key-0123456789abcdef0123456789abcdef", "new-key-0123456789abcdef0123456789abcdef"
	dir := t.TempDir()
	t.Setenv("WEFT_DATA_DIR", dir)
	t.Setenv("DATABASE_URL", "")
	t.Setenv("ENCRYPTION_KEY", "")
	t.Setenv("ENCRYPTION_KEYS_OLD", "")
	t.Setenv("ENCRYPTION_KEY_NEW", "")
	// Embedded mode: the key lives in the data dir.
	if err := os.WriteFile(filepath.Join(dir, "encryption_key"), []byte(oldKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := persistence.Open(ctx, filepath.Join(dir, "weft.db"), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := &persistence.User{Email: "ann@example.com", PasswordHash: "x", Active: true}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	oldRing, _ := persistence.NewKeyring(oldKey)
	c, err := db.Credentials(oldRing).Create(ctx, u.ID, "c", "httpBearerAuth", map[string]any{"token": "tkn-secret"})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	var out, errOut bytes.Buffer
	if code := Main(ctx, []string{"credentials", "rotate-key"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "ENCRYPTION_KEY_NEW") {
		t.Fatalf("without a new key: %d %s", code, errOut.String())
	}
	if code := Main(ctx, []string{"credentials", "spin"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown subcommand: %d", code)
	}
	t.Setenv("ENCRYPTION_KEY_NEW", newKey)
	out.Reset()
	errOut.Reset()
	if code := Main(ctx, []string{"credentials", "rotate-key"}, &out, &errOut); code != 0 {
		t.Fatalf("rotate: %d %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "re-encrypted 1 credential(s)") || strings.Contains(out.String()+errOut.String(), "tkn-secret") {
		t.Fatalf("output %q", out.String())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "encryption_key")); strings.TrimSpace(string(b)) != newKey {
		t.Fatal("the key file was not updated")
	}
	db, err = persistence.Open(ctx, filepath.Join(dir, "weft.db"), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	newRing, _ := persistence.NewKeyring(newKey)
	got, err := db.Credentials(newRing).Get(ctx, persistence.Scope{Admin: true}, c.ID)
	if err != nil || got.Data["token"] != "tkn-secret" {
		t.Fatalf("after rotation: %v %v", got, err)
	}
}
