package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/weft/weft/temporal"
)

// temporalClientOptions are the SDK client options for hostPort: the
// namespace, the logger, and TLS / API key authentication as configured
// (Temporal Cloud takes either a client certificate or an API key).
func (c *config) temporalClientOptions(hostPort string, log *zap.Logger) (client.Options, error) {
	opts := client.Options{
		HostPort: hostPort, Namespace: c.Namespace,
		Logger: temporal.SDKLogger(log.Named("temporal-sdk").WithOptions(zap.IncreaseLevel(zap.WarnLevel))),
	}
	tlsCfg, err := c.temporalTLS()
	if err != nil {
		return opts, err
	}
	opts.ConnectionOptions.TLS = tlsCfg
	if c.TemporalAPIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(c.TemporalAPIKey)
	}
	return opts, nil
}

// temporalTLS is the TLS configuration of the Temporal connection, nil for
// plain gRPC (the embedded server, a cluster on a private network).
func (c *config) temporalTLS() (*tls.Config, error) {
	if !c.TemporalTLS && c.TemporalTLSCert == "" && c.TemporalAPIKey == "" && c.TemporalTLSCA == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.TemporalTLSServerName}
	if c.TemporalTLSCert != "" || c.TemporalTLSKey != "" {
		if c.TemporalTLSCert == "" || c.TemporalTLSKey == "" {
			return nil, errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together")
		}
		pair, err := tls.LoadX509KeyPair(c.TemporalTLSCert, c.TemporalTLSKey)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if c.TemporalTLSCA != "" {
		pem, err := os.ReadFile(c.TemporalTLSCA)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %s holds no PEM certificate", c.TemporalTLSCA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}
