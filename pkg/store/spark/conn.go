package spark

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/aiops/modelmonitor/pkg/settings"
)

// maxResultMessage bounds one gRPC message from the server (an Arrow batch): Spark Connect cuts batches at
// spark.connect.grpc.arrow.maxBatchSize (4 MiB by default), far below it.
const maxResultMessage = 128 << 20

// dial prepares the gRPC channel of a Spark Connect address: TLS when the URL asks for it (use_ssl=true) or a
// token is set — a bearer token never travels in clear — checked against tlsCACert or the host's roots, and
// plain TCP otherwise. Spark Connect's client dials the same way (its connection-string spec), except that it
// turns TLS on for a token only.
func dial(a settings.SparkAddress, cfg settings.Settings) (*grpc.ClientConn, error) {
	creds := insecure.NewCredentials()
	if a.TLS || cfg.Token != "" {
		tc := &tls.Config{ServerName: a.Host, MinVersion: tls.VersionTLS12}
		if cfg.TLSCACert != "" {
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM([]byte(cfg.TLSCACert)) {
				return nil, errors.New("tlsCACert holds no PEM certificate")
			}
		}
		creds = credentials.NewTLS(tc)
	}
	conn, err := grpc.NewClient(net.JoinHostPort(a.Host, strconv.Itoa(a.Port)),
		grpc.WithTransportCredentials(creds), grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxResultMessage)))
	if err != nil {
		return nil, fmt.Errorf("Spark Connect address %s: %w", address(a), err)
	}
	return conn, nil
}

// outgoing adds the request headers: the URL's extra parameters and the bearer token.
func (r *Runner) outgoing(ctx context.Context) context.Context {
	kv := make([]string, 0, 2*len(r.addr.Headers)+2)
	for k, v := range r.addr.Headers {
		kv = append(kv, k, v)
	}
	if r.cfg.Token != "" {
		kv = append(kv, "authorization", "Bearer "+r.cfg.Token)
	}
	if len(kv) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// address names the server in error messages.
func address(a settings.SparkAddress) string { return net.JoinHostPort(a.Host, strconv.Itoa(a.Port)) }
