package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// waitReady waits until the frontend answers and knows every namespace, then
// registers the search attributes each namespace lacks.
func waitReady(ctx context.Context, frontend string, namespaces []string, attrs map[string]enums.IndexedValueType) error {
	var c client.Client
	err := poll(ctx, "frontend", func(ctx context.Context) error {
		var err error
		c, err = client.DialContext(ctx, client.Options{
			HostPort:  frontend,
			Namespace: namespaces[0],
			Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
		})
		return err
	})
	if err != nil {
		return err
	}
	defer c.Close()

	for _, ns := range namespaces {
		err := poll(ctx, "namespace "+ns, func(ctx context.Context) error {
			_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
			return err
		})
		if err != nil {
			return err
		}
		if err := addSearchAttributes(ctx, c, ns, attrs); err != nil {
			return err
		}
	}
	return nil
}

// addSearchAttributes registers those of attrs that namespace ns lacks. An
// attribute registered with another type is an error: its column cannot change.
//
// Namespaces created by Start already have attrs; this covers a database made
// before an attribute was added to Options. The services learn of an attribute
// added here when their namespace cache refreshes (~2 s here), so this waits
// until the frontend accepts a query on each.
func addSearchAttributes(ctx context.Context, c client.Client, ns string, attrs map[string]enums.IndexedValueType) error {
	if len(attrs) == 0 {
		return nil
	}
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return fmt.Errorf("devserver: list search attributes of %q: %w", ns, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		want := attrs[name]
		have, ok := list.GetCustomAttributes()[name]
		if !ok {
			have, ok = list.GetSystemAttributes()[name]
		}
		switch {
		case !ok:
			missing[name] = want
		case have != want:
			return fmt.Errorf("devserver: search attribute %s of %q is %s, not %s", name, ns, have, want)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns, SearchAttributes: missing})
	if err != nil {
		return fmt.Errorf("devserver: add search attributes to %q: %w", ns, err)
	}
	for _, name := range slices.Sorted(maps.Keys(missing)) {
		err := poll(ctx, "search attribute "+name, func(ctx context.Context) error {
			_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns, Query: name + " IS NULL"})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
