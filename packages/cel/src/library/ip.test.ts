import assert from "node:assert/strict";
import { test } from "node:test";
import { fails, holds } from "../testing/evaluate.js";

test("ip parses IPv4 and IPv6 with Go's rules", () => {
  holds('isIP("192.168.0.1") && isIP("::1") && isIP("2001:db8::68")');
  holds('!isIP("192.168.0.01")');
  holds('!isIP("fe80::1%eth0")');
  holds('!isIP("::ffff:192.168.0.1")');
  holds('!isIP("1.2.3")');
  assert.match(fails('ip("1.2.3") == ip("1.2.3.4")'), /IP Address "1\.2\.3" parse error during conversion from string/);
});

test("ip accessors and canonical form", () => {
  holds('ip("192.168.0.1").family() == 4 && ip("::1").family() == 6');
  holds('ip("127.0.0.1").isLoopback() && ip("::1").isLoopback()');
  holds('ip("0.0.0.0").isUnspecified() && ip("::").isUnspecified()');
  holds('ip("169.254.1.1").isLinkLocalUnicast() && ip("fe80::1").isLinkLocalUnicast()');
  holds('ip("224.0.0.1").isLinkLocalMulticast() && ip("ff02::1").isLinkLocalMulticast()');
  holds('ip("8.8.8.8").isGlobalUnicast() && !ip("255.255.255.255").isGlobalUnicast()');
  holds('ip.isCanonical("2001:db8::1") && !ip.isCanonical("2001:DB8::1") && !ip.isCanonical("2001:db8:0:0:0:0:0:1")');
  holds('string(ip("2001:db8:0:0:1:0:0:1")) == "2001:db8::1:0:0:1"');
  holds('ip("10.0.0.1") == ip("10.0.0.1")');
});

test("cidr", () => {
  holds('isCIDR("10.0.0.0/8") && !isCIDR("10.0.0.0/33") && !isCIDR("10.0.0.0")');
  holds('cidr("10.0.0.0/8").containsIP("10.1.2.3") && !cidr("10.0.0.0/8").containsIP(ip("11.0.0.1"))');
  holds('cidr("10.0.0.0/8").containsCIDR("10.1.0.0/16") && !cidr("10.1.0.0/16").containsCIDR("10.0.0.0/8")');
  holds('cidr("192.168.0.1/24").ip() == ip("192.168.0.1")');
  holds('string(cidr("192.168.0.1/24").masked()) == "192.168.0.0/24"');
  holds('cidr("2001:db8::/32").prefixLength() == 32');
  holds('!cidr("10.0.0.0/8").containsIP("2001:db8::1")');
});
