import { ConfigurationError } from '@orgplane/util';
import { loadGatewayConfig } from '../src/gateway.config';

describe('TRUST_PROXY', () => {
  it('trusts no proxy unless told: any client can write X-Forwarded-For', () => {
    expect(loadGatewayConfig({}).TRUST_PROXY).toEqual([]);
    expect(loadGatewayConfig({ TRUST_PROXY: '' }).TRUST_PROXY).toEqual([]);
  });

  it('takes addresses, CIDR ranges and named ranges, comma-separated', () => {
    expect(
      loadGatewayConfig({ TRUST_PROXY: ' 10.0.0.0/8, loopback,2001:db8::/32 ,192.0.2.1' })
        .TRUST_PROXY,
    ).toEqual(['10.0.0.0/8', 'loopback', '2001:db8::/32', '192.0.2.1']);
  });

  it.each(['true', '1', 'proxy.internal', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/8/1'])(
    'refuses %s: not an address or range (`true` or a hop count would trust forged ones)',
    (value) => {
      expect(() => loadGatewayConfig({ TRUST_PROXY: value })).toThrow(ConfigurationError);
    },
  );
});
