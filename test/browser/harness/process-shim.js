// Some dependencies read process.env.X at run time; Grafana provides a shim, so does the harness.
module.exports = { env: { NODE_ENV: 'development' } };
