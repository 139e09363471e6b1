package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/weft/weft/persistence"
)

// runCredentials is `weft credentials rotate-key`.
//
// Rotation re-encrypts every credential under a new key while the old one
// still reads, so it can be interrupted and run again:
//
//   - With ENCRYPTION_KEY_NEW set, credentials move from ENCRYPTION_KEY (and
//     ENCRYPTION_KEYS_OLD) to ENCRYPTION_KEY_NEW. Run it with the servers
//     stopped, then start them with ENCRYPTION_KEY set to the new key. In
//     embedded mode, where the key lives in the data dir, the file is
//     replaced with the new key once every row is rewritten.
//   - Without it, credentials move to ENCRYPTION_KEY from the keys in
//     ENCRYPTION_KEYS_OLD: the rolling way, with servers running. First
//     restart every process with ENCRYPTION_KEY=new and
//     ENCRYPTION_KEYS_OLD=old (they write with the new key and read both),
//     run this, and drop ENCRYPTION_KEYS_OLD once it reports nothing left.
func runCredentials(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "rotate-key" {
		fmt.Fprintln(stderr, "usage: weft credentials rotate-key (keys from ENCRYPTION_KEY, ENCRYPTION_KEY_NEW, ENCRYPTION_KEYS_OLD; see README)")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "weft credentials rotate-key: %v\n", err)
		return 1
	}
	cfg, err := loadConfig(os.Getenv)
	if err == nil {
		err = cfg.checkSecrets()
	}
	if err != nil {
		fmt.Fprintf(stderr, "weft credentials rotate-key: configuration:\n%v\n", err)
		return 2
	}
	keyFromFile := false
	if !cfg.external && cfg.EncryptionKey == "" {
		keyFromFile = true
		if err := cfg.ensureSecrets(zap.NewNop()); err != nil {
			return fail(err)
		}
	}
	target, readers := cfg.EncryptionKey, cfg.EncryptionKeysOld
	if cfg.EncryptionKeyNew != "" {
		target, readers = cfg.EncryptionKeyNew, append([]string{cfg.EncryptionKey}, cfg.EncryptionKeysOld...)
	}
	if len(readers) == 0 {
		fmt.Fprintln(stderr, "weft credentials rotate-key: nothing to rotate from: set ENCRYPTION_KEY_NEW (new key) or ENCRYPTION_KEYS_OLD (old keys)")
		return 2
	}
	keys, err := persistence.NewKeyring(target, readers...)
	if err != nil {
		return fail(err)
	}
	db, err := persistence.Open(ctx, cfg.databaseDSN(), persistence.Options{})
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fail(fmt.Errorf("migrate database: %w", err))
	}
	res, err := db.Credentials(keys).Rotate(ctx)
	if err != nil {
		fmt.Fprintf(stdout, "re-encrypted %d credential(s) before stopping\n", res.Rewritten)
		return fail(fmt.Errorf("%w; fix it and run rotate-key again (rewritten credentials are skipped)", err))
	}
	fmt.Fprintf(stdout, "re-encrypted %d credential(s); %d already under the current key (version %d)\n",
		res.Rewritten, res.Current, keys.CurrentVersion())
	if keyFromFile && cfg.EncryptionKeyNew != "" {
		path := filepath.Join(cfg.DataDir, "encryption_key")
		if err := os.WriteFile(path, []byte(cfg.EncryptionKeyNew+"\n"), 0o600); err != nil {
			return fail(fmt.Errorf("every credential uses the new key, but %s could not be updated: %w; put ENCRYPTION_KEY_NEW there yourself", path, err))
		}
		fmt.Fprintf(stdout, "%s now holds the new key\n", path)
	} else if cfg.EncryptionKeyNew != "" {
		fmt.Fprintln(stdout, "now set ENCRYPTION_KEY to the new key for every weft process")
	} else {
		fmt.Fprintln(stdout, "ENCRYPTION_KEYS_OLD can be removed once every process runs with this ENCRYPTION_KEY")
	}
	return 0
}
