package nodes

import (
	"errors"
	"fmt"
)

// Error codes shared by every package; the API maps each to one HTTP status.
const (
	CodeInvalid         = "VALIDATION_ERROR"
	CodeUnauthorized    = "UNAUTHORIZED"
	CodeForbidden       = "FORBIDDEN"
	CodeNotFound        = "NOT_FOUND"
	CodeConflict        = "CONFLICT"
	CodeInternal        = "INTERNAL_ERROR"
	CodeRateLimit       = "RATE_LIMIT"
	CodeWorkflowInvalid = "WORKFLOW_INVALID"
	CodeExecutionFailed = "EXECUTION_FAILED"
)

// Error is an error with a code and a message that is safe to show a user.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetail returns e with one more detail set.
func (e *Error) WithDetail(key string, value any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = value
	return e
}

// ErrorCode returns the code of the first *Error in err's chain,
// CodeInternal for any other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-safe message of err: the *Error's message, or
// a generic one for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// NodeError is a node's failure as n8n records it in run data.
type NodeError struct {
	// Message is the error's one-line message.
	Message string `json:"message"`
	// Description adds detail (n8n's description).
	Description string `json:"description,omitempty"`
	// Name is the error class: NodeOperationError, NodeApiError,
	// ExpressionError, ...
	Name string `json:"name,omitempty"`
	// Node is the failing node's name.
	Node string `json:"node,omitempty"`
	// ItemIndex is the item being processed when the node failed, if known.
	ItemIndex *int `json:"itemIndex,omitempty"`
	// LineNumber is the Code node line that threw, if known.
	LineNumber int `json:"lineNumber,omitempty"`
	// HTTPCode is set by nodes that call HTTP APIs.
	HTTPCode string `json:"httpCode,omitempty"`
	// Timestamp is the failure time in Unix milliseconds.
	Timestamp int64 `json:"timestamp,omitempty"`
	// Retryable marks transient failures worth another try (network,
	// timeouts); the interpreter retries only these when retryOnFail is off.
	Retryable bool `json:"-"`
}

func (e *NodeError) Error() string { return e.Message }

// NewNodeError returns a NodeOperationError with the message.
func NewNodeError(format string, args ...any) *NodeError {
	return &NodeError{Name: "NodeOperationError", Message: fmt.Sprintf(format, args...)}
}

// AtItem returns e marked as raised while processing item i.
func (e *NodeError) AtItem(i int) *NodeError {
	e.ItemIndex = &i
	return e
}

// AsNodeError converts any error into a *NodeError, keeping one if err
// already holds one.
func AsNodeError(err error) *NodeError {
	if err == nil {
		return nil
	}
	var ne *NodeError
	if errors.As(err, &ne) {
		return ne
	}
	return &NodeError{Name: "NodeOperationError", Message: err.Error()}
}
