package persistence_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

const (
	keyA = "key-a-0123456789abcdef0123456789abcdef"
	keyB = "key-b-0123456789abcdef0123456789abcdef"
)

func keyring(t *testing.T, current string, old ...string) *persistence.Keyring {
	t.Helper()
	k, err := persistence.NewKeyring(current, old...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeyring(t *testing.T) {
	if _, err := persistence.NewKeyring("short"); err == nil {
		t.Fatal("a short key was accepted")
	}
	k := keyring(t, keyA)
	c1, v1, err := k.Encrypt([]byte(`{"password":"hunter2"}`), "row-1")
	if err != nil {
		t.Fatal(err)
	}
	c2, _, _ := k.Encrypt([]byte(`{"password":"hunter2"}`), "row-1")
	if c1 == c2 {
		t.Fatal("two encryptions of the same data are equal: the nonce is not random")
	}
	if strings.Contains(c1, "hunter2") {
		t.Fatal("ciphertext holds the plaintext")
	}
	got, err := k.Decrypt(c1, v1, "row-1")
	if err != nil || string(got) != `{"password":"hunter2"}` {
		t.Fatalf("round trip: %q %v", got, err)
	}
	if _, err := k.Decrypt(c1, v1, "row-2"); !errors.Is(err, persistence.ErrTampered) {
		t.Fatalf("ciphertext moved to another row: %v", err)
	}
	raw, _ := base64.StdEncoding.DecodeString(c1)
	for _, i := range []int{0, 13, len(raw) - 1} {
		bad := append([]byte(nil), raw...)
		bad[i] ^= 1
		if _, err := k.Decrypt(base64.StdEncoding.EncodeToString(bad), v1, "row-1"); !errors.Is(err, persistence.ErrTampered) {
			t.Fatalf("flipped byte %d: %v", i, err)
		}
	}
	if _, err := k.Decrypt("not base64!", v1, "row-1"); !errors.Is(err, persistence.ErrTampered) {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := keyring(t, keyB).Decrypt(c1, v1, "row-1"); !errors.Is(err, persistence.ErrUnknownKey) {
		t.Fatalf("other key: %v", err)
	}
	if v1 != persistence.KeyVersion(keyA) || v1 == persistence.KeyVersion(keyB) {
		t.Fatal("key versions do not tell the keys apart")
	}
}

func TestCredentialsStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		ann := mustUser(t, db, "ann@example.com")
		bob := mustUser(t, db, "bob@example.com")
		cs := db.Credentials(keyring(t, keyA))
		c, err := cs.Create(ctx, ann.ID, "Ann's API", "httpBasicAuth", map[string]any{"user": "ann", "password": "hunter2"})
		if err != nil {
			t.Fatal(err)
		}
		row, _ := cs.Row(ctx, c.ID)
		if strings.Contains(row.Data, "hunter2") || row.KeyVersion != persistence.KeyVersion(keyA) {
			t.Fatalf("row = %+v", row)
		}
		annScope, bobScope := persistence.Scope{UserID: ann.ID}, persistence.Scope{UserID: bob.ID}
		got, err := cs.Get(ctx, annScope, c.ID)
		if err != nil || got.Data["password"] != "hunter2" {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := cs.Get(ctx, bobScope, c.ID); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("bob reads ann's credential: %v", err)
		}
		if _, err := cs.Get(ctx, persistence.Scope{UserID: bob.ID, Admin: true}, c.ID); err != nil {
			t.Fatalf("admin: %v", err)
		}
		list, _, err := cs.List(ctx, bobScope, persistence.CredentialFilter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("bob's list: %v %v", list, err)
		}
		list, _, _ = cs.List(ctx, annScope, persistence.CredentialFilter{Type: "httpBasicAuth"})
		if len(list) != 1 || list[0].Data != nil {
			t.Fatalf("ann's list: %+v", list)
		}
		if _, err := cs.Update(ctx, bobScope, c.ID, func(*persistence.Credential) error { return nil }); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("bob updates: %v", err)
		}
		boom := errors.New("boom")
		if _, err := cs.Update(ctx, annScope, c.ID, func(c *persistence.Credential) error { c.Data["password"] = "x"; return boom }); err != boom {
			t.Fatalf("failing update: %v", err)
		}
		up, err := cs.Update(ctx, annScope, c.ID, func(c *persistence.Credential) error {
			c.Name = "renamed"
			c.Data["password"] = "correct horse"
			return nil
		})
		if err != nil || up.Name != "renamed" {
			t.Fatal(up, err)
		}
		got, _ = cs.Get(ctx, annScope, c.ID)
		if got.Data["password"] != "correct horse" || got.Data["user"] != "ann" {
			t.Fatalf("after update: %v", got.Data)
		}
		types, err := cs.Types(ctx, ann.ID, []string{c.ID, "nope"})
		if err != nil || len(types) != 1 || types[c.ID] != "httpBasicAuth" {
			t.Fatalf("types: %v %v", types, err)
		}
		if types, _ := cs.Types(ctx, bob.ID, []string{c.ID}); len(types) != 0 {
			t.Fatalf("bob's types: %v", types)
		}

		// Tampering with the stored ciphertext is refused.
		// (The first character is changed to another one: replacing it by
		// a fixed letter would leave it as it was one time in 64.)
		first := "A"
		if row.Data[0] == 'A' {
			first = "B"
		}
		if err := db.Gorm().Exec("UPDATE credentials SET data = ? WHERE id = ?", first+row.Data[1:], c.ID).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := cs.Get(ctx, annScope, c.ID); !errors.Is(err, persistence.ErrTampered) || strings.Contains(err.Error(), "horse") {
			t.Fatalf("tampered: %v", err)
		}
		if err := cs.Delete(ctx, bobScope, c.ID); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("bob deletes: %v", err)
		}
		if err := cs.Delete(ctx, annScope, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.Get(ctx, annScope, c.ID); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestCredentialsRotate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		ann := mustUser(t, db, "ann@example.com")
		old := db.Credentials(keyring(t, keyA))
		var ids []string
		for _, pw := range []string{"one", "two", "three"} {
			c, err := old.Create(ctx, ann.ID, pw, "httpBasicAuth", map[string]any{"user": "u", "password": pw})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		// The new key alone cannot read the old rows.
		if _, err := db.Credentials(keyring(t, keyB)).Get(ctx, persistence.Scope{Admin: true}, ids[0]); !errors.Is(err, persistence.ErrUnknownKey) {
			t.Fatalf("new key reads old row: %v", err)
		}
		both := db.Credentials(keyring(t, keyB, keyA))
		// Rows written during a rolling rotation use the new key already.
		fresh, err := both.Create(ctx, ann.ID, "four", "httpBasicAuth", map[string]any{"user": "u", "password": "four"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := both.Rotate(ctx)
		if err != nil || res.Rewritten != 3 || res.Current != 1 {
			t.Fatalf("rotate: %+v %v", res, err)
		}
		again, err := both.Rotate(ctx)
		if err != nil || again.Rewritten != 0 || again.Current != 4 {
			t.Fatalf("second rotate: %+v %v", again, err)
		}
		onlyNew := db.Credentials(keyring(t, keyB))
		for i, id := range append(ids, fresh.ID) {
			c, err := onlyNew.Get(ctx, persistence.Scope{Admin: true}, id)
			if err != nil {
				t.Fatalf("row %d after rotation: %v", i, err)
			}
			if want := []string{"one", "two", "three", "four"}[i]; c.Data["password"] != want {
				t.Fatalf("row %d = %v", i, c.Data)
			}
			if row, _ := onlyNew.Row(ctx, id); row.KeyVersion != persistence.KeyVersion(keyB) {
				t.Fatalf("row %d key version %d", i, row.KeyVersion)
			}
		}
		if _, err := old.Get(ctx, persistence.Scope{Admin: true}, ids[0]); !errors.Is(err, persistence.ErrUnknownKey) {
			t.Fatalf("old key still reads a rotated row: %v", err)
		}
	})
}
