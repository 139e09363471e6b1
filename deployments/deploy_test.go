// Package deployments holds weft's Dockerfile and Kubernetes manifests; its
// tests check them without Docker or a cluster.
package deployments

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// weftEnv returns the environment variables weft reads, from the source of
// cmd/weft.
func weftEnv(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("../cmd/weft/*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?:getenv|intVar|durVar|boolVar)\("([A-Z][A-Z0-9_]*)"`)
	out := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			out[string(m[1])] = true
		}
	}
	for _, must := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "JWT_SECRET", "EXECUTIONS_DATA_MAX_AGE", "TEMPORAL_API_KEY"} {
		if !out[must] {
			t.Fatalf("could not find %s among weft's variables: %v", must, out)
		}
	}
	return out
}

type composeFile struct {
	Services map[string]struct {
		Image       string         `yaml:"image"`
		Build       any            `yaml:"build"`
		Command     any            `yaml:"command"`
		Environment map[string]any `yaml:"environment"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck *struct {
			Test any `yaml:"test"`
		} `yaml:"healthcheck"`
		Deploy struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
		Volumes []string `yaml:"volumes"`
		Ports   []string `yaml:"ports"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// TestDockerCompose: the compose file parses and runs PostgreSQL, Temporal
// with its Web UI, weft api and two weft workers, with health checks,
// pinned images, a database volume, and only variables weft knows.
func TestDockerCompose(t *testing.T) {
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	known := weftEnv(t)
	for _, name := range []string{"postgresql", "temporal", "temporal-ui", "weft-api", "weft-worker"} {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("service %s is missing", name)
			continue
		}
		if s.Healthcheck == nil || s.Healthcheck.Test == nil {
			t.Errorf("service %s has no health check", name)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" {
			t.Errorf("service %s names no image", name)
		} else if tag := s.Image[strings.LastIndex(s.Image, ":")+1:]; !strings.Contains(s.Image, ":") || tag == "latest" {
			t.Errorf("service %s: image %s is not pinned to a version", name, s.Image)
		}
		for dep, d := range s.DependsOn {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("service %s depends on unknown %s", name, dep)
			}
			if d.Condition == "" {
				t.Errorf("service %s: depends_on %s has no condition", name, dep)
			}
		}
		if strings.HasPrefix(name, "weft-") {
			for k := range s.Environment {
				if !known[k] {
					t.Errorf("service %s sets %s, which weft does not read", name, k)
				}
			}
			for _, k := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "JWT_SECRET", "ENCRYPTION_KEY"} {
				if s.Environment[k] == nil {
					t.Errorf("service %s does not set %s", name, k)
				}
			}
		}
	}
	if img := c.Services["temporal"].Image; !strings.HasPrefix(img, "temporalio/server:1.32.") {
		t.Errorf("temporal image %s: DESIGN.md pins server 1.32.x", img)
	}
	if img := c.Services["temporal-ui"].Image; !strings.HasPrefix(img, "temporalio/ui:2.") {
		t.Errorf("temporal-ui image %s", img)
	}
	if r := c.Services["weft-worker"].Deploy.Replicas; r != 2 {
		t.Errorf("weft-worker replicas %d, want 2", r)
	}
	if cmd := c.Services["weft-api"].Command; !sameCommand(cmd, "api") {
		t.Errorf("weft-api command %v", cmd)
	}
	if cmd := c.Services["weft-worker"].Command; !sameCommand(cmd, "worker") {
		t.Errorf("weft-worker command %v", cmd)
	}
	pg := c.Services["postgresql"]
	if len(pg.Volumes) == 0 {
		t.Error("postgresql keeps its data in no volume")
	} else if _, ok := c.Volumes[strings.Split(pg.Volumes[0], ":")[0]]; !ok {
		t.Errorf("postgresql's volume %s is not declared", pg.Volumes[0])
	}
}

func sameCommand(cmd any, want ...string) bool {
	list, ok := cmd.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	for i, w := range want {
		if list[i] != w {
			return false
		}
	}
	return true
}

// k8sObject is what the checks read of a Kubernetes object.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Replicas int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		ScaleTargetRef struct {
			Kind, Name string
		} `yaml:"scaleTargetRef"`
		MinReplicas int `yaml:"minReplicas"`
		MaxReplicas int `yaml:"maxReplicas"`
		Template    struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				Containers []struct {
					Name  string   `yaml:"name"`
					Image string   `yaml:"image"`
					Args  []string `yaml:"args"`
					Env   []struct {
						Name      string `yaml:"name"`
						ValueFrom struct {
							SecretKeyRef *struct {
								Name, Key string
							} `yaml:"secretKeyRef"`
						} `yaml:"valueFrom"`
					} `yaml:"env"`
					EnvFrom []struct {
						ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
					} `yaml:"envFrom"`
					ReadinessProbe *probe `yaml:"readinessProbe"`
					LivenessProbe  *probe `yaml:"livenessProbe"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		Ports []struct {
			Name string `yaml:"name"`
		} `yaml:"ports"`
	} `yaml:"spec"`
	StringData map[string]string `yaml:"stringData"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
	Exec *struct {
		Command []string `yaml:"command"`
	} `yaml:"exec"`
}

// TestKubernetesManifests: the manifests parse; the API and worker
// Deployments take secrets from a Secret and the rest from the ConfigMap,
// both of variables weft reads; the API is probed on /healthz, the worker
// by `weft healthcheck --worker`; a Service fronts the API and an HPA
// scales the workers.
func TestKubernetesManifests(t *testing.T) {
	known := weftEnv(t)
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	objs := map[string]k8sObject{}
	var kustomization struct {
		Resources []string `yaml:"resources"`
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "kustomization.yaml" {
			if err := yaml.Unmarshal(b, &kustomization); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			continue
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind == "" || o.APIVersion == "" || o.Metadata.Name == "" {
				t.Fatalf("%s: an object without kind, apiVersion or name", f)
			}
			objs[o.Kind+"/"+o.Metadata.Name] = o
		}
	}
	for _, f := range files {
		base := filepath.Base(f)
		listed := base == "kustomization.yaml" || base == "secret.example.yaml"
		for _, r := range kustomization.Resources {
			listed = listed || r == base
		}
		if !listed {
			t.Errorf("kustomization.yaml does not list %s", base)
		}
	}
	var names []string
	for k := range objs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, want := range []string{"Deployment/weft-api", "Deployment/weft-worker", "Service/weft-api", "ConfigMap/weft-config",
		"HorizontalPodAutoscaler/weft-worker", "Secret/weft-secrets", "Job/weft-temporal-setup"} {
		if _, ok := objs[want]; !ok {
			t.Errorf("%s is missing (have %v)", want, names)
		}
	}
	for k := range objs["ConfigMap/weft-config"].Data {
		if !known[k] {
			t.Errorf("the ConfigMap sets %s, which weft does not read", k)
		}
	}
	for k := range objs["Secret/weft-secrets"].StringData {
		if !known[k] {
			t.Errorf("the Secret holds %s, which weft does not read", k)
		}
	}
	for name, role := range map[string]string{"Deployment/weft-api": "api", "Deployment/weft-worker": "worker"} {
		d := objs[name]
		for k, v := range d.Spec.Selector.MatchLabels {
			if d.Spec.Template.Metadata.Labels[k] != v {
				t.Errorf("%s: the selector %s=%s does not match the pod labels", name, k, v)
			}
		}
		if len(d.Spec.Template.Spec.Containers) != 1 {
			t.Fatalf("%s: want one container", name)
		}
		ct := d.Spec.Template.Spec.Containers[0]
		if len(ct.Args) != 1 || ct.Args[0] != role {
			t.Errorf("%s runs %v, want [%s]", name, ct.Args, role)
		}
		secrets := map[string]bool{}
		for _, e := range ct.Env {
			if !known[e.Name] {
				t.Errorf("%s sets %s, which weft does not read", name, e.Name)
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				if r.Name != "weft-secrets" {
					t.Errorf("%s: %s comes from secret %s", name, e.Name, r.Name)
				}
				secrets[e.Name] = true
			}
		}
		for _, k := range []string{"DATABASE_URL", "JWT_SECRET", "ENCRYPTION_KEY"} {
			if !secrets[k] {
				t.Errorf("%s: %s does not come from the Secret", name, k)
			}
		}
		if len(ct.EnvFrom) == 0 || ct.EnvFrom[0].ConfigMapRef == nil || ct.EnvFrom[0].ConfigMapRef.Name != "weft-config" {
			t.Errorf("%s does not read the ConfigMap", name)
		}
		for _, p := range []*probe{ct.ReadinessProbe, ct.LivenessProbe} {
			switch {
			case p == nil:
				t.Errorf("%s lacks a probe", name)
			case role == "api" && (p.HTTPGet == nil || p.HTTPGet.Path != "/healthz"):
				t.Errorf("%s: probe is not GET /healthz", name)
			case role == "worker" && (p.Exec == nil || strings.Join(p.Exec.Command[1:], " ") != "healthcheck --worker"):
				t.Errorf("%s: probe is not weft healthcheck --worker", name)
			}
		}
	}
	hpa := objs["HorizontalPodAutoscaler/weft-worker"]
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != "weft-worker" || hpa.Spec.MinReplicas < 1 || hpa.Spec.MaxReplicas <= hpa.Spec.MinReplicas {
		t.Errorf("HPA %+v", hpa.Spec)
	}
}

// TestDockerfile: a multi-stage build of a static binary (CGO off) that
// runs as a non-root user with a health check; and with CGO off every
// package of weft still builds (no package needs cgo).
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(text, -1)); n < 2 {
		t.Errorf("%d FROM lines: not a multi-stage build", n)
	}
	build := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build .*\./cmd/weft)`).FindStringSubmatch(text)
	if build == nil {
		t.Error("no `RUN CGO_ENABLED=0 go build … ./cmd/weft` line")
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(text)
	if user == nil || strings.HasPrefix(user[1], "root") || strings.HasPrefix(user[1], "0") {
		t.Errorf("the image does not run as a non-root user: %v", user)
	}
	if !regexp.MustCompile(`(?m)^HEALTHCHECK .*`).MatchString(text) || !strings.Contains(text, `"healthcheck"`) {
		t.Error("no HEALTHCHECK running weft healthcheck")
	}
	if !strings.Contains(text, `ENTRYPOINT ["/usr/local/bin/weft"]`) {
		t.Error("the entrypoint is not the weft binary")
	}

	// Building the static binary takes minutes on a cold cache; what can
	// break it is a dependency that needs cgo, which go list shows.
	cmd := exec.Command("go", "list", "-e", "-deps", "-f", "{{if .Error}}{{.ImportPath}}: {{.Error}}{{end}}", "../cmd/weft")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Fatalf("with CGO_ENABLED=0 weft's packages do not all build: %v\n%s", err, out)
	}
}
