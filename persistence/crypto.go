package persistence

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Keyring encrypts credential data with AES-256-GCM. It holds one current
// key, which every write uses, and any number of older keys that still
// decrypt rows written before a rotation.
//
// A key is any secret string of at least 32 characters (ENCRYPTION_KEY);
// the AES key is its SHA-256. A key's version is derived from the key itself
// (a 31-bit fingerprint), so the version stored beside each ciphertext names
// the key that wrote it whatever order the keys are configured in, and a row
// written under a key the keyring does not hold is reported as such instead
// of failing as tampered.
type Keyring struct {
	current int64
	aeads   map[int64]cipher.AEAD
}

// MinKeyLength is the shortest accepted encryption key.
const MinKeyLength = 32

// NewKeyring returns a keyring writing with current and reading with
// current and old. Empty old keys are ignored.
func NewKeyring(current string, old ...string) (*Keyring, error) {
	k := &Keyring{aeads: map[int64]cipher.AEAD{}}
	v, err := k.add(current)
	if err != nil {
		return nil, fmt.Errorf("current encryption key: %w", err)
	}
	k.current = v
	for i, o := range old {
		if strings.TrimSpace(o) == "" {
			continue
		}
		if _, err := k.add(o); err != nil {
			return nil, fmt.Errorf("old encryption key %d: %w", i+1, err)
		}
	}
	return k, nil
}

func (k *Keyring) add(secret string) (int64, error) {
	secret = strings.TrimSpace(secret)
	if len(secret) < MinKeyLength {
		return 0, fmt.Errorf("must be at least %d characters", MinKeyLength)
	}
	sum := sha256.Sum256([]byte(secret))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return 0, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return 0, err
	}
	v := KeyVersion(secret)
	k.aeads[v] = aead
	return v, nil
}

// KeyVersion returns the version number a key's ciphertexts carry.
func KeyVersion(secret string) int64 {
	aesKey := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	fp := sha256.Sum256(append([]byte("weft key version\x00"), aesKey[:]...))
	v := int64(binary.BigEndian.Uint32(fp[:4]) & 0x7fffffff)
	if v == 0 {
		v = 1
	}
	return v
}

// CurrentVersion is the version of the key writes use.
func (k *Keyring) CurrentVersion() int64 { return k.current }

// Encrypt seals plain under the current key with a fresh random nonce.
// aad binds the ciphertext to its row (the credential id), so a ciphertext
// moved to another row does not decrypt. The result is base64 of nonce and
// sealed data.
func (k *Keyring) Encrypt(plain []byte, aad string) (string, int64, error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", 0, err
	}
	sealed := aead.Seal(nonce, nonce, plain, []byte(aad))
	return base64.StdEncoding.EncodeToString(sealed), k.current, nil
}

// ErrUnknownKey is returned for data written under a key the keyring does
// not hold.
var ErrUnknownKey = errors.New("credential data is encrypted with a key that is not configured (set the old key in ENCRYPTION_KEYS_OLD)")

// ErrTampered is returned when data does not authenticate: it was changed,
// moved to another row, or the key is wrong.
var ErrTampered = errors.New("credential data failed authentication: it was modified or does not belong to this credential")

// Decrypt opens data written by Encrypt under key version.
func (k *Keyring) Decrypt(data string, version int64, aad string) ([]byte, error) {
	aead, ok := k.aeads[version]
	if !ok {
		return nil, ErrUnknownKey
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrTampered
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}

// credentialDataError wraps a decryption failure as an internal error whose
// message is safe to show (it holds no data).
func credentialDataError(id string, err error) error {
	return fmt.Errorf("credential %s: %w", id, err)
}
