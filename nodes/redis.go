package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is n8n's Redis node (v1): get, set (with a TTL), delete, incr,
// keys, publish, push, pop and info against a Redis server named by a
// redis credential.
type Redis struct{}

// RedisParams are the Redis node's parameters.
type RedisParams struct {
	Operation    string         `json:"operation" doc:"info (default), delete, get, incr, keys, pop, publish, push or set."`
	Key          string         `json:"key" doc:"delete/get/incr/set: the key."`
	PropertyName string         `json:"propertyName" doc:"get/pop: the output property that receives the value (dot notation unless options.dotNotation is false)."`
	KeyType      string         `json:"keyType" doc:"get/set: automatic (default), string, hash, list or sets."`
	Value        any            `json:"value" doc:"set: the value."`
	ValueIsJSON  *bool          `json:"valueIsJSON" doc:"set hash: the value is a JSON object (default true)."`
	Expire       bool           `json:"expire" doc:"set/incr: give the key a time to live."`
	TTL          any            `json:"ttl" doc:"set/incr: seconds to live (default 60)."`
	KeyPattern   string         `json:"keyPattern" doc:"keys: the pattern (KEYS syntax)."`
	GetValues    *bool          `json:"getValues" doc:"keys: also read each key's value (default true)."`
	Channel      string         `json:"channel" doc:"publish: the channel."`
	MessageData  any            `json:"messageData" doc:"publish/push: the message."`
	List         string         `json:"list" doc:"push/pop: the list's key."`
	Tail         bool           `json:"tail" doc:"push/pop: at the tail (RPUSH/RPOP) instead of the head."`
	Options      map[string]any `json:"options" doc:"get/pop: dotNotation (default true)."`
}

var redisOperations = []string{"info", "delete", "get", "incr", "keys", "pop", "publish", "push", "set"}

func init() {
	Register(Redis{})
	RegisterCredentialType(CredentialType{
		Name:        "redis",
		DisplayName: "Redis",
		Fields: []CredentialField{
			{Name: "password", DisplayName: "Password", Type: "string", Secret: true},
			{Name: "user", DisplayName: "User", Type: "string"},
			{Name: "host", DisplayName: "Host", Type: "string", Default: "localhost", Required: true},
			{Name: "port", DisplayName: "Port", Type: "number", Default: 6379},
			{Name: "database", DisplayName: "Database Number", Type: "number", Default: 0},
			{Name: "ssl", DisplayName: "SSL", Type: "boolean", Default: false},
			{Name: "disableTlsVerification", DisplayName: "Ignore SSL Issues (Insecure)", Type: "boolean", Default: false},
		},
		Test: testRedisCredential,
	})
}

// Describe implements Node.
func (Redis) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.redis",
		DisplayName: "Redis",
		Summary:     "Gets, sets, deletes and increments keys, lists keys, publishes to channels and pushes to or pops from lists in Redis.",
		Versions:    []float64{1},
		Kind:        KindIO,
		Params:      RedisParams{},
	}
}

// Validate implements Node.
func (Redis) Validate(n *NodeInstance) error {
	var p RedisParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if p.Operation != "" && !slices.Contains(redisOperations, p.Operation) {
		return ParamErrorf("operation", "%q is not one of %s", p.Operation, strings.Join(redisOperations, ", "))
	}
	if p.KeyType != "" && !slices.Contains([]string{"automatic", "string", "hash", "list", "sets"}, p.KeyType) {
		return ParamErrorf("keyType", "%q is not one of automatic, string, hash, list, sets", p.KeyType)
	}
	return nil
}

// redisClient opens a client from a redis credential and checks it answers.
func redisClient(ctx context.Context, cred map[string]any) (*redis.Client, error) {
	host, addr := credAddress(cred, 6379)
	opts := &redis.Options{
		Addr:        addr,
		Username:    credString(cred, "user"),
		Password:    credString(cred, "password"),
		DB:          credInt(cred, "database", 0),
		DialTimeout: 10 * time.Second,
		MaxRetries:  -1,
		PoolSize:    1,
	}
	if credBool(cred, "ssl") {
		opts.TLSConfig = serverTLS(host, credBool(cred, "disableTlsVerification"))
	}
	c := redis.NewClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, redisError(err, opts.Password)
	}
	return c, nil
}

func redisError(err error, secret string) *NodeError {
	var re redis.Error
	if errors.As(err, &re) {
		return serverError(err.Error(), secret)
	}
	return connectionError(err, secret)
}

// Execute implements Node.
func (Redis) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := pairedInputs(in, 1)[0]
	cred, err := ctx.Credential("redis")
	if err != nil {
		return nil, err
	}
	c, err := redisClient(ctx, cred)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	secret := credString(cred, "password")
	var p0 RedisParams
	if err := ctx.Decode(0, &p0); err != nil {
		return nil, err
	}
	if p0.Operation == "" || p0.Operation == "info" {
		info, err := c.Info(ctx).Result()
		if err != nil {
			return nil, redisError(err, secret)
		}
		return [][]Item{{NewItem(redisInfoObject(info))}}, nil
	}
	var out []Item
	for i := range items {
		it, err := redisItem(ctx, c, items[i], i)
		if err != nil {
			ne := AsNodeError(err)
			if _, ok := err.(*NodeError); !ok {
				ne = redisError(err, secret)
			}
			if ctx.ContinueOnFail() {
				out = append(out, Item{JSON: map[string]any{"error": ne.Message}, PairedItem: PairedItems{{Item: i}}})
				continue
			}
			return nil, ne.AtItem(i)
		}
		if it != nil {
			it.PairedItem = PairedItems{{Item: i}}
			out = append(out, *it)
		}
	}
	return [][]Item{out}, nil
}

func redisItem(ctx *Context, c *redis.Client, in Item, i int) (*Item, error) {
	p := RedisParams{KeyType: "automatic", TTL: 60.0}
	if err := ctx.Decode(i, &p); err != nil {
		return nil, err
	}
	dot := true
	if v, ok := p.Options["dotNotation"].(bool); ok {
		dot = v
	}
	setProp := func(j map[string]any, name string, v any) {
		if dot {
			loSet(j, name, v)
		} else {
			j[name] = v
		}
	}
	ttl := 60
	if f, ok := toNumberParam(p.TTL); ok {
		ttl = int(f)
	}
	switch p.Operation {
	case "delete":
		if err := c.Del(ctx, p.Key).Err(); err != nil {
			return nil, err
		}
		return &in, nil
	case "get":
		v, err := redisGet(ctx, c, p.Key, p.KeyType)
		if err != nil {
			return nil, err
		}
		j := map[string]any{}
		setProp(j, p.PropertyName, v)
		it := NewItem(j)
		return &it, nil
	case "keys":
		keys, err := c.Keys(ctx, p.KeyPattern).Result()
		if err != nil {
			return nil, err
		}
		if p.GetValues != nil && !*p.GetValues {
			ks := make([]any, len(keys))
			for k, key := range keys {
				ks[k] = key
			}
			it := NewItem(map[string]any{"keys": ks})
			return &it, nil
		}
		j := map[string]any{}
		for _, key := range keys {
			v, err := redisGet(ctx, c, key, "automatic")
			if err != nil {
				return nil, err
			}
			j[key] = v
		}
		it := NewItem(j).WithKeyOrder(&KeyOrder{Keys: keys})
		return &it, nil
	case "set":
		if err := redisSet(ctx, c, &p); err != nil {
			return nil, err
		}
		if p.Expire {
			if err := c.Expire(ctx, p.Key, time.Duration(ttl)*time.Second).Err(); err != nil {
				return nil, err
			}
		}
		return &in, nil
	case "incr":
		n, err := c.Incr(ctx, p.Key).Result()
		if err != nil {
			return nil, err
		}
		if p.Expire && ttl > 0 {
			if err := c.Expire(ctx, p.Key, time.Duration(ttl)*time.Second).Err(); err != nil {
				return nil, err
			}
		}
		it := NewItem(map[string]any{p.Key: float64(n)})
		return &it, nil
	case "publish":
		if err := c.Publish(ctx, p.Channel, redisString(p.MessageData)).Err(); err != nil {
			return nil, err
		}
		return &in, nil
	case "push":
		var err error
		if p.Tail {
			err = c.RPush(ctx, p.List, redisString(p.MessageData)).Err()
		} else {
			err = c.LPush(ctx, p.List, redisString(p.MessageData)).Err()
		}
		if err != nil {
			return nil, err
		}
		return &in, nil
	case "pop":
		var s string
		var err error
		if p.Tail {
			s, err = c.RPop(ctx, p.List).Result()
		} else {
			s, err = c.LPop(ctx, p.List).Result()
		}
		var v any
		switch {
		case errors.Is(err, redis.Nil):
			v = nil
		case err != nil:
			return nil, err
		default:
			if json.Unmarshal([]byte(s), &v) != nil {
				v = s
			}
		}
		name := p.PropertyName
		if name == "" {
			name = "propertyName"
		}
		j := map[string]any{}
		setProp(j, name, v)
		it := NewItem(j)
		return &it, nil
	}
	return nil, NewNodeError("The operation %q is not supported!", p.Operation)
}

// redisGet reads a key by its type; a missing key is null.
func redisGet(ctx context.Context, c *redis.Client, key, typ string) (any, error) {
	if typ == "" || typ == "automatic" {
		t, err := c.Type(ctx, key).Result()
		if err != nil {
			return nil, err
		}
		typ = t
	}
	switch typ {
	case "string":
		s, err := c.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, nil // n8n: value || null
		}
		return s, nil
	case "hash":
		m, err := c.HGetAll(ctx, key).Result()
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out, nil
	case "list":
		l, err := c.LRange(ctx, key, 0, -1).Result()
		if err != nil {
			return nil, err
		}
		return stringsToAny(l), nil
	case "sets", "set":
		l, err := c.SMembers(ctx, key).Result()
		if err != nil {
			return nil, err
		}
		return stringsToAny(l), nil
	}
	return nil, nil
}

func stringsToAny(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// redisSet writes the value by key type, as n8n's setValue.
func redisSet(ctx context.Context, c *redis.Client, p *RedisParams) error {
	typ := p.KeyType
	v := p.Value
	if typ == "" || typ == "automatic" {
		switch v.(type) {
		case string:
			typ = "string"
		case []any:
			typ = "list"
		case map[string]any:
			typ = "hash"
		default:
			return NewNodeError("Could not identify the type to set. Please set it manually!")
		}
	}
	switch typ {
	case "string":
		return c.Set(ctx, p.Key, redisString(v), 0).Err()
	case "hash":
		isJSON := p.ValueIsJSON == nil || *p.ValueIsJSON
		if isJSON {
			obj, ok := v.(map[string]any)
			if s, isStr := v.(string); isStr {
				var parsed map[string]any
				if json.Unmarshal([]byte(s), &parsed) == nil {
					obj, ok = parsed, true
				}
			}
			if ok {
				var args []any
				for k, e := range obj {
					args = append(args, k, redisString(e))
				}
				if len(args) == 0 {
					return nil
				}
				return c.HSet(ctx, p.Key, args...).Err()
			}
		}
		fields := strings.Split(redisString(v), " ")
		args := make([]any, len(fields))
		for i, f := range fields {
			args[i] = f
		}
		return c.HSet(ctx, p.Key, args...).Err()
	case "list":
		arr, ok := v.([]any)
		if !ok {
			arr = []any{v}
		}
		for i, e := range arr {
			if err := c.LSet(ctx, p.Key, int64(i), redisString(e)).Err(); err != nil {
				return err
			}
		}
		return nil
	case "sets":
		arr, ok := v.([]any)
		if !ok {
			arr = []any{redisString(v)}
		}
		members := make([]any, len(arr))
		for i, e := range arr {
			members[i] = redisString(e)
		}
		return c.SAdd(ctx, p.Key, members...).Err()
	}
	return NewNodeError("Unknown key type %q", typ)
}

// redisString is JavaScript's String(v) for a stored value.
func redisString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return jsToString(v)
}

var redisNumber = regexp.MustCompile(`^[\d.]+$`)

// redisInfoObject converts INFO's text into an object, as n8n does.
func redisInfoObject(info string) map[string]any {
	parse := func(s string) any {
		if redisNumber.MatchString(s) {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return f
			}
		}
		return s
	}
	out := map[string]any{}
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if strings.Contains(v, "=") {
			m := map[string]any{}
			for _, kv := range strings.Split(v, ",") {
				k2, v2, _ := strings.Cut(kv, "=")
				m[k2] = parse(v2)
			}
			out[k] = m
			continue
		}
		out[k] = parse(v)
	}
	return out
}

// testRedisCredential connects and pings.
func testRedisCredential(ctx context.Context, data map[string]any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := redisClient(ctx, data)
	if err != nil {
		return err
	}
	return c.Close()
}

var _ Node = Redis{}
