package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	nodes.CodeInvalid:         http.StatusBadRequest,
	nodes.CodeUnauthorized:    http.StatusUnauthorized,
	nodes.CodeForbidden:       http.StatusForbidden,
	nodes.CodeNotFound:        http.StatusNotFound,
	nodes.CodeConflict:        http.StatusConflict,
	nodes.CodeInternal:        http.StatusInternalServerError,
	nodes.CodeRateLimit:       http.StatusTooManyRequests,
	nodes.CodeWorkflowInvalid: http.StatusUnprocessableEntity,
	nodes.CodeExecutionFailed: http.StatusUnprocessableEntity,
}

// errorBody is the {code, message, details} body of every error answer.
type errorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

// writeError answers with err's code and message. Internal errors are logged
// with the request id and shown as a generic message.
func (s *Server) writeError(c *gin.Context, err error) { s.writeErrorStatus(c, 0, err) }

// writeErrorStatus is writeError with the status forced when status is not 0
// (413 and 405 have no code of their own).
func (s *Server) writeErrorStatus(c *gin.Context, status int, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		status = http.StatusRequestEntityTooLarge
		err = invalid("request body is larger than %d bytes", tooBig.Limit)
	}
	var e *nodes.Error
	if !errors.As(err, &e) {
		s.log.Error("internal error", zap.String("request_id", requestID(c)), zap.String("route", c.FullPath()), zap.Error(err))
		e = &nodes.Error{Code: nodes.CodeInternal, Message: "internal error (request " + requestID(c) + ")"}
	}
	if status == 0 {
		var ok bool
		if status, ok = statusOf[e.Code]; !ok {
			status = http.StatusInternalServerError
		}
	}
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	c.AbortWithStatusJSON(status, errorBody{Code: e.Code, Message: e.Message, Details: details})
}

// invalid returns a VALIDATION_ERROR.
func invalid(format string, args ...any) *nodes.Error {
	return nodes.Errorf(nodes.CodeInvalid, format, args...)
}
