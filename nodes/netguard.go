package nodes

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// NetPolicy says which addresses nodes that make HTTP requests (HTTP
// Request, credential tests) may reach. The zero value refuses loopback,
// private, carrier-grade NAT, link-local, unspecified, multicast and
// reserved addresses and the cloud metadata endpoints; it is checked on the
// IP actually dialled, so redirects and DNS answers (rebinding included)
// cannot lead around it.
type NetPolicy struct {
	// AllowPrivate permits every address except the cloud metadata ones
	// (WEFT_HTTP_ALLOW_PRIVATE=true).
	AllowPrivate bool
	// AllowHosts are host names a request may reach whatever they resolve
	// to: exact names, or "*.example.com" for any subdomain.
	AllowHosts []string
	// AllowNets are address ranges a request may reach, metadata addresses
	// included when a range names them.
	AllowNets []netip.Prefix
}

// ParseNetPolicy reads WEFT_HTTP_ALLOW_PRIVATE ("true"/"false"/"") and
// WEFT_HTTP_ALLOW_HOSTS (comma-separated host names, "*.domain" patterns,
// IP addresses and CIDR ranges).
func ParseNetPolicy(allowPrivate, allowHosts string) (NetPolicy, error) {
	var p NetPolicy
	switch strings.ToLower(strings.TrimSpace(allowPrivate)) {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		p.AllowPrivate = true
	default:
		return p, fmt.Errorf("WEFT_HTTP_ALLOW_PRIVATE=%q: want true or false", allowPrivate)
	}
	for _, e := range strings.Split(allowHosts, ",") {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
		case strings.Contains(e, "/"):
			pf, err := netip.ParsePrefix(e)
			if err != nil {
				return p, fmt.Errorf("WEFT_HTTP_ALLOW_HOSTS: %q is not a CIDR range", e)
			}
			p.AllowNets = append(p.AllowNets, pf.Masked())
		default:
			if a, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
				p.AllowNets = append(p.AllowNets, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
				continue
			}
			p.AllowHosts = append(p.AllowHosts, strings.ToLower(e))
		}
	}
	return p, nil
}

var defaultNetPolicy = struct {
	sync.RWMutex
	p NetPolicy
}{}

// SetNetPolicy sets the policy of requests whose context carries none; main
// calls it once from the configuration.
func SetNetPolicy(p NetPolicy) {
	defaultNetPolicy.Lock()
	defaultNetPolicy.p = p
	defaultNetPolicy.Unlock()
}

type netPolicyKey struct{}

// WithNetPolicy returns ctx carrying a policy that overrides the default
// for requests made under it (tests allow their httptest servers this way).
func WithNetPolicy(ctx context.Context, p NetPolicy) context.Context {
	return context.WithValue(ctx, netPolicyKey{}, p)
}

// NetPolicyFrom returns the policy of ctx, or the default one.
func NetPolicyFrom(ctx context.Context) NetPolicy {
	if ctx != nil {
		if p, ok := ctx.Value(netPolicyKey{}).(NetPolicy); ok {
			return p
		}
	}
	defaultNetPolicy.RLock()
	defer defaultNetPolicy.RUnlock()
	return defaultNetPolicy.p
}

// BlockedError is a request the policy refused.
type BlockedError struct {
	Target string
	Reason string
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("request to %s refused: %s (WEFT_HTTP_ALLOW_PRIVATE or WEFT_HTTP_ALLOW_HOSTS can permit it)", e.Target, e.Reason)
}

// Ranges refused on top of what netip's predicates cover.
var (
	blockedNets = mustPrefixes("0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "64:ff9b::/96", "64:ff9b:1::/48", "2001:db8::/32", "100::/64")
	// metadataAddrs are cloud instance metadata endpoints: AWS, GCP,
	// Azure, OpenStack (169.254.169.254), AWS IPv6, Azure's wire server,
	// Alibaba Cloud, Oracle Cloud.
	metadataAddrs = mustPrefixes("169.254.169.254/32", "fd00:ec2::254/128", "168.63.129.16/32", "100.100.100.200/32", "192.0.0.192/32")
	metadataHosts = []string{"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"}
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// ipReason returns why the policy refuses ip, or "".
func (p NetPolicy) ipReason(ip netip.Addr) string {
	ip = ip.Unmap()
	for _, n := range p.AllowNets {
		if n.Contains(ip) {
			return ""
		}
	}
	for _, n := range metadataAddrs {
		if n.Contains(ip) {
			return ip.String() + " is a cloud metadata address"
		}
	}
	if p.AllowPrivate {
		return ""
	}
	switch {
	case ip.IsLoopback():
		return ip.String() + " is a loopback address"
	case ip.IsPrivate():
		return ip.String() + " is a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return ip.String() + " is a link-local address"
	case ip.IsUnspecified():
		return ip.String() + " is the unspecified address"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return ip.String() + " is a multicast address"
	}
	if ip.Is6() && !ip.Is4In6() {
		// 6to4 and Teredo addresses embed IPv4 ones.
		b := ip.As16()
		if b[0] == 0x20 && b[1] == 0x02 {
			if r := p.ipReason(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); r != "" {
				return ip.String() + " embeds a refused IPv4 address"
			}
		}
	}
	for _, n := range blockedNets {
		if n.Contains(ip) {
			return ip.String() + " is a reserved address"
		}
	}
	return ""
}

func (p NetPolicy) hostAllowed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range p.AllowHosts {
		if h == host || (strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:])) {
			return true
		}
	}
	return false
}

// CheckURL refuses a URL before any connection: schemes other than http
// and https, metadata host names, and IP addresses (in any spelling the
// resolver would accept: 2130706433, 0x7f000001, 0177.0.0.1, 127.1) the
// policy refuses. Host names are checked again on every dialled address.
func (p NetPolicy) CheckURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &BlockedError{Target: u.Redacted(), Reason: fmt.Sprintf("scheme %q is not http or https", u.Scheme)}
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return &BlockedError{Target: u.Redacted(), Reason: "the URL has no host"}
	}
	if p.hostAllowed(host) {
		return nil
	}
	for _, m := range metadataHosts {
		if host == m {
			return &BlockedError{Target: host, Reason: "it is a cloud metadata host"}
		}
	}
	ip, ok := parseLooseIP(host)
	if !ok {
		return nil
	}
	if r := p.ipReason(ip); r != "" {
		return &BlockedError{Target: host, Reason: r}
	}
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err != nil {
		// A numeric host in an unusual spelling resolves differently from
		// one resolver to another: refuse it rather than guess.
		return &BlockedError{Target: host, Reason: "numeric host " + host + " is not a canonical IP address (it reads as " + ip.String() + ")"}
	}
	return nil
}

// parseLooseIP reads the IPv4 spellings of inet_aton (one to four parts,
// each decimal, octal with a leading 0 or hex with 0x) and IPv6 literals.
func parseLooseIP(host string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return a, true
	}
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, s := range parts {
		if s == "" {
			return netip.Addr{}, false
		}
		base := 10
		switch {
		case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
			base, s = 16, s[2:]
			if s == "" {
				s = "0"
			}
		case len(s) > 1 && s[0] == '0':
			base, s = 8, s[1:]
		}
		n, err := strconv.ParseUint(s, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	var v uint64
	last := len(nums) - 1
	for i := 0; i < last; i++ {
		if nums[i] > 255 {
			return netip.Addr{}, false
		}
		v |= nums[i] << (8 * (3 - i))
	}
	if nums[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	v |= nums[last]
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// ClientOptions tune one HTTP client.
type ClientOptions struct {
	// Timeout bounds each request (0: 5 minutes).
	Timeout time.Duration
	// NoRedirects returns 3xx answers as they are.
	NoRedirects bool
	// MaxRedirects bounds redirects followed (0: 21, n8n's default).
	MaxRedirects int
	// InsecureTLS skips certificate verification (allowUnauthorizedCerts).
	InsecureTLS bool
}

// Client returns an HTTP client that enforces the policy on every dial and
// every redirect. It ignores proxy environment variables, which would
// otherwise carry requests past the address check.
func (p NetPolicy) Client(o ClientOptions) *http.Client {
	guarded := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &BlockedError{Target: address, Reason: "the address could not be checked"}
			}
			if r := p.ipReason(ap.Addr()); r != "" {
				return &BlockedError{Target: address, Reason: r}
			}
			return nil
		}}
	open := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if p.hostAllowed(host) {
				return open.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: o.InsecureTLS}, //nolint:gosec // the node's allowUnauthorizedCerts option
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	maxRedirects := o.MaxRedirects
	if maxRedirects <= 0 {
		maxRedirects = 21
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if o.NoRedirects {
				return http.ErrUseLastResponse
			}
			if len(via) > maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return p.CheckURL(req.URL)
		}}
}

// AsBlocked returns the policy refusal inside err, if any.
func AsBlocked(err error) *BlockedError {
	var b *BlockedError
	if errors.As(err, &b) {
		return b
	}
	return nil
}
