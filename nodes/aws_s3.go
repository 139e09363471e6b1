package nodes

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// AwsS3 is n8n's AWS S3 node (n8n-nodes-base.awsS3, version 2) for file
// upload, download and getAll (ListObjectsV2), on S3's REST API signed with
// AWS Signature Version 4 (sigv4.go). A credential with custom endpoints
// and an S3 endpoint uses path-style URLs on that endpoint (MinIO, tests).
type AwsS3 struct{}

// awsSTSEnv overrides the STS endpoint the aws credential test calls.
const awsSTSEnv = "WEFT_AWS_STS_URL"

// AwsS3Params are the node's parameters weft reads.
type AwsS3Params struct {
	Resource           string         `json:"resource" doc:"file (the only resource weft runs)."`
	Operation          string         `json:"operation" doc:"upload, download or getAll."`
	BucketName         string         `json:"bucketName" doc:"The bucket."`
	FileName           string         `json:"fileName" doc:"upload: the object's name (under additionalFields.parentFolderKey if set)."`
	FileKey            string         `json:"fileKey" doc:"download: the object's key."`
	BinaryData         *bool          `json:"binaryData" doc:"upload: send the binary property (default true) or fileContent."`
	FileContent        string         `json:"fileContent" doc:"upload without binaryData: the text to store."`
	BinaryPropertyName string         `json:"binaryPropertyName" doc:"upload: the binary property to send; download: the property to write (default data)."`
	AdditionalFields   map[string]any `json:"additionalFields" doc:"upload: parentFolderKey, acl, storageClass, serverSideEncryption, requesterPays."`
	TagsUI             map[string]any `json:"tagsUi" doc:"upload: {tagsValues: [{key, value}]}."`
	ReturnAll          bool           `json:"returnAll" doc:"getAll: every object (continuation tokens)."`
	Limit              float64        `json:"limit" doc:"getAll without returnAll: at most this many (default 100)."`
	Options            map[string]any `json:"options" doc:"getAll: folderKey (prefix), fetchOwner."`
}

func init() {
	Register(AwsS3{})
	RegisterCredentialType(CredentialType{
		Name: "aws", DisplayName: "AWS",
		Fields: []CredentialField{
			{Name: "region", DisplayName: "Region", Type: "string", Default: "us-east-1"},
			{Name: "accessKeyId", DisplayName: "Access Key ID", Type: "string", Required: true},
			{Name: "secretAccessKey", DisplayName: "Secret Access Key", Type: "string", Secret: true, Required: true},
			{Name: "temporaryCredentials", DisplayName: "Temporary Security Credentials", Type: "boolean"},
			{Name: "sessionToken", DisplayName: "Session Token", Type: "string", Secret: true},
			{Name: "customEndpoints", DisplayName: "Custom Endpoints", Type: "boolean"},
			{Name: "s3Endpoint", DisplayName: "S3 Endpoint", Type: "string"},
		},
		Test: awsTestCredential,
	})
}

// Describe implements Node.
func (AwsS3) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.awsS3",
		DisplayName: "AWS S3",
		Summary:     "Uploads, downloads and lists S3 objects through S3's REST API (Signature Version 4).",
		Versions:    []float64{2},
		Kind:        KindIO,
		Params:      AwsS3Params{},
	}
}

// Validate implements Node.
func (AwsS3) Validate(n *NodeInstance) error {
	p := AwsS3Params{Resource: "file", Operation: "download"}
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if p.Resource != "file" {
		return ParamErrorf("resource", "resource %q is not supported (file only)", p.Resource)
	}
	switch p.Operation {
	case "upload", "download", "getAll":
	default:
		return ParamErrorf("operation", "operation %q is not supported (upload, download or getAll)", p.Operation)
	}
	return nil
}

// awsCred is an aws credential's data.
type awsCred struct {
	signer   awsSigner
	endpoint string // custom S3 endpoint, "" for AWS
}

func awsCredFrom(data map[string]any, service string) (*awsCred, error) {
	c := &awsCred{signer: awsSigner{
		AccessKey: strings.TrimSpace(credString(data, "accessKeyId")),
		SecretKey: strings.TrimSpace(credString(data, "secretAccessKey")),
		Region:    strings.TrimSpace(credString(data, "region")),
		Service:   service,
	}}
	if c.signer.Region == "" {
		c.signer.Region = "us-east-1"
	}
	if credBool(data, "temporaryCredentials") {
		c.signer.SessionToken = strings.TrimSpace(credString(data, "sessionToken"))
	}
	if credBool(data, "customEndpoints") {
		c.endpoint = strings.TrimRight(strings.TrimSpace(credString(data, "s3Endpoint")), "/")
	}
	if c.signer.AccessKey == "" || c.signer.SecretKey == "" {
		return nil, NewNodeError("the aws credential needs an access key id and a secret access key")
	}
	return c, nil
}

// objectURL is the URL of key in bucket ("" key: the bucket).
func (c *awsCred) objectURL(bucket, key string) (*url.URL, error) {
	escKey := awsEscape(key, true)
	var raw string
	if c.endpoint != "" {
		raw = c.endpoint + "/" + awsEscape(bucket, false)
		if key != "" {
			raw += "/" + escKey
		}
	} else {
		raw = "https://" + bucket + ".s3." + c.signer.Region + ".amazonaws.com/" + escKey
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, NewNodeError("invalid S3 URL: %v", err)
	}
	return u, nil
}

// do signs and sends one S3 request.
func (c *awsCred) do(ctx context.Context, method string, u *url.URL, body []byte, header http.Header) (*svcResponse, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, NewNodeError("invalid S3 request: %v", err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	hash := awsHash(body)
	req.Header.Set("X-Amz-Content-Sha256", hash)
	c.signer.Sign(req, hash, time.Now())
	resp, err := svcDo(req)
	if err != nil {
		return nil, err
	}
	if resp.Status >= 300 {
		return nil, awsError(resp)
	}
	return resp, nil
}

// awsError words an S3 or STS XML error answer.
func awsError(resp *svcResponse) *NodeError {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Error   struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	}
	desc := ""
	if xml.Unmarshal(resp.Body, &e) == nil {
		code, msg := e.Code, e.Message
		if code == "" {
			code, msg = e.Error.Code, e.Error.Message
		}
		desc = strings.TrimSpace(code + ": " + msg)
		desc = strings.TrimPrefix(desc, ": ")
	}
	return svcAPIError(resp.Status, desc)
}

// Execute implements Node.
func (AwsS3) Execute(ctx *Context, _ [][]Item) ([][]Item, error) {
	cred := &svcCredential{ctx: ctx, typ: "aws"}
	return svcEachItem(ctx, func(i int, it Item) ([]Item, error) {
		p := AwsS3Params{Operation: "download", BinaryPropertyName: "data", Limit: 100}
		if err := ctx.Decode(i, &p); err != nil {
			return nil, err
		}
		data, err := cred.get()
		if err != nil {
			return nil, err
		}
		c, err := awsCredFrom(data, "s3")
		if err != nil {
			return nil, err
		}
		if p.BucketName == "" {
			return nil, NewNodeError("no bucket name given")
		}
		switch p.Operation {
		case "upload":
			return s3Upload(ctx, c, &p, it, i)
		case "download":
			return s3Download(ctx, c, &p, it)
		case "getAll":
			return s3List(ctx, c, &p)
		}
		return nil, NewNodeError("The operation \"%s\" is not known!", p.Operation)
	})
}

func s3Upload(ctx context.Context, c *awsCred, p *AwsS3Params, it Item, i int) ([]Item, error) {
	key := p.FileName
	if f, _ := p.AdditionalFields["parentFolderKey"].(string); f != "" {
		key = strings.TrimRight(f, "/") + "/" + key
	}
	if key == "" {
		return nil, NewNodeError("no file name given")
	}
	h := http.Header{}
	var body []byte
	if p.BinaryData == nil || *p.BinaryData {
		b, data, err := svcBinaryBytes(it, i, p.BinaryPropertyName)
		if err != nil {
			return nil, err
		}
		body = data
		if b.MimeType != "" {
			h.Set("Content-Type", b.MimeType)
		}
	} else {
		body = []byte(p.FileContent)
		h.Set("Content-Type", "text/html")
	}
	if body == nil {
		body = []byte{}
	}
	if acl, _ := p.AdditionalFields["acl"].(string); acl != "" {
		h.Set("X-Amz-Acl", awsKebab(acl))
	}
	if sc, _ := p.AdditionalFields["storageClass"].(string); sc != "" {
		h.Set("X-Amz-Storage-Class", strings.ToUpper(strings.ReplaceAll(awsKebab(sc), "-", "_")))
	}
	if sse, _ := p.AdditionalFields["serverSideEncryption"].(string); sse != "" {
		h.Set("X-Amz-Server-Side-Encryption", sse)
	}
	if rp, _ := p.AdditionalFields["requesterPays"].(bool); rp {
		h.Set("X-Amz-Request-Payer", "requester")
	}
	if tv, ok := p.TagsUI["tagsValues"].([]any); ok {
		tags := url.Values{}
		for _, t := range tv {
			m, _ := t.(map[string]any)
			k, _ := rlValue(m["key"])
			v, _ := rlValue(m["value"])
			if k != "" {
				tags.Add(k, v)
			}
		}
		if len(tags) > 0 {
			h.Set("X-Amz-Tagging", tags.Encode())
		}
	}
	u, err := c.objectURL(p.BucketName, key)
	if err != nil {
		return nil, err
	}
	if _, err := c.do(ctx, http.MethodPut, u, body, h); err != nil {
		return nil, err
	}
	return []Item{NewItem(map[string]any{"success": true})}, nil
}

// awsKebab turns n8n's camelCase option values (authenticatedRead) into
// S3's header values (authenticated-read).
func awsKebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if 'A' <= r && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func s3Download(ctx context.Context, c *awsCred, p *AwsS3Params, it Item) ([]Item, error) {
	key := p.FileKey
	if key == "" {
		return nil, NewNodeError("no file key given")
	}
	if strings.HasSuffix(key, "/") {
		return nil, NewNodeError("Downloading a whole directory is not yet supported, please provide a file key")
	}
	u, err := c.objectURL(p.BucketName, key)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, http.MethodGet, u, nil, nil)
	if err != nil {
		return nil, err
	}
	out := NewItem(CloneJSON(it.JSON).(map[string]any))
	out = out.WithKeyOrder(it.KeyOrder())
	out.Binary = map[string]*Binary{}
	for k, b := range it.Binary {
		out.Binary[k] = b
	}
	name := key[strings.LastIndex(key, "/")+1:]
	out.Binary[p.BinaryPropertyName] = svcBinary(resp.Body, name, resp.Header.Get("Content-Type"))
	return []Item{out}, nil
}

// s3List lists the bucket's objects (ListObjectsV2), leaving out folder
// placeholders (keys ending in "/").
func s3List(ctx context.Context, c *awsCred, p *AwsS3Params) ([]Item, error) {
	limit := int(p.Limit)
	var out []Item
	token := ""
	for {
		u, err := c.objectURL(p.BucketName, "")
		if err != nil {
			return nil, err
		}
		q := url.Values{"list-type": {"2"}}
		if f, _ := p.Options["folderKey"].(string); f != "" {
			q.Set("prefix", f)
		}
		if fo, _ := p.Options["fetchOwner"].(bool); fo {
			q.Set("fetch-owner", "true")
		}
		if !p.ReturnAll && limit > 0 && limit < 1000 {
			q.Set("max-keys", strconv.Itoa(limit+1))
		}
		if token != "" {
			q.Set("continuation-token", token)
		}
		u.RawQuery = q.Encode()
		resp, err := c.do(ctx, http.MethodGet, u, nil, nil)
		if err != nil {
			return nil, err
		}
		page, err := s3ParseList(resp.Body)
		if err != nil {
			return nil, err
		}
		for _, obj := range page.contents {
			if k, _ := obj.JSON["Key"].(string); strings.HasSuffix(k, "/") {
				continue
			}
			out = append(out, NewItem(obj.JSON).WithKeyOrder(&KeyOrder{Keys: obj.keys}))
			if !p.ReturnAll && len(out) >= limit {
				return out, nil
			}
		}
		if !page.truncated || page.next == "" {
			return out, nil
		}
		token = page.next
	}
}

type s3Object struct {
	JSON map[string]any
	keys []string
}

type s3Page struct {
	contents  []s3Object
	truncated bool
	next      string
}

// s3ParseList reads a ListBucketResult: each Contents element becomes an
// object of its child elements' texts (nested ones as objects), as n8n's
// XML parser gives them.
func s3ParseList(body []byte) (*s3Page, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	page := &s3Page{}
	bad := &NodeError{Name: "NodeApiError", Message: "S3 answered with a list that is not valid XML"}
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return page, nil
		}
		if err != nil {
			return nil, bad
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			switch t.Name.Local {
			case "Contents":
				obj, keys, err := s3Element(dec)
				if err != nil {
					return nil, bad
				}
				page.contents = append(page.contents, s3Object{JSON: obj, keys: keys})
				depth--
			case "IsTruncated", "NextContinuationToken":
				var s string
				if err := dec.DecodeElement(&s, &t); err != nil {
					return nil, bad
				}
				if t.Name.Local == "IsTruncated" {
					page.truncated = strings.TrimSpace(s) == "true"
				} else {
					page.next = strings.TrimSpace(s)
				}
				depth--
			}
		case xml.EndElement:
			depth--
		}
	}
}

// s3Element reads the children of the element just opened into a map.
func s3Element(dec *xml.Decoder) (map[string]any, []string, error) {
	obj := map[string]any{}
	var keys []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			child, ck, err := s3Element(dec)
			if err != nil {
				return nil, nil, err
			}
			var v any = child
			if len(ck) == 0 {
				v = child["_text"]
				if v == nil {
					v = ""
				}
			}
			if _, dup := obj[t.Name.Local]; !dup {
				keys = append(keys, t.Name.Local)
			}
			obj[t.Name.Local] = v
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(keys) == 0 {
				obj["_text"] = strings.TrimSpace(text.String())
			}
			return obj, keys, nil
		}
	}
}

// awsTestCredential tries an aws credential: S3 ListBuckets on a custom S3
// endpoint, else STS GetCallerIdentity.
func awsTestCredential(ctx context.Context, data map[string]any) error {
	c, err := awsCredFrom(data, "s3")
	if err != nil {
		return err
	}
	if c.endpoint != "" {
		u, err := url.Parse(c.endpoint + "/")
		if err != nil {
			return NewNodeError("invalid S3 endpoint: %v", err)
		}
		_, err = c.do(ctx, http.MethodGet, u, nil, nil)
		return err
	}
	c.signer.Service = "sts"
	endpoint := "https://sts." + c.signer.Region + ".amazonaws.com"
	if v := strings.TrimSpace(os.Getenv(awsSTSEnv)); v != "" {
		endpoint = strings.TrimRight(v, "/")
	}
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return NewNodeError("invalid STS URL: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	c.signer.Sign(req, awsHash(body), time.Now())
	resp, err := svcDo(req)
	if err != nil {
		return err
	}
	if resp.Status >= 300 {
		return awsError(resp)
	}
	return nil
}
