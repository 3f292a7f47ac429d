-- Spec section 8: MFA / TOTP. The codes are computed here, independently of liboath, with a
-- small pure-Lua SHA-1 / HMAC / base32 (checked against FIPS 180 and RFC 6238 vectors first), so
-- that validateTOTP is tested with right codes too.

local t = require("testing")
local expect_error = t.expect_error
local eq = t.eq

-- ############################################################################
-- Reference TOTP (RFC 6238, SHA1, 6 digits, 30 s)

local function sha1(msg)
   local function rol(x, n) return ((x << n) | (x >> (32 - n))) & 0xffffffff end
   local h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
   local len = #msg
   msg = msg .. "\128" .. string.rep("\0", (55 - len) % 64) .. string.pack(">I8", len * 8)
   for chunk = 1, #msg, 64 do
      local w = {}
      for i = 0, 15 do w[i] = string.unpack(">I4", msg, chunk + 4 * i) end
      for i = 16, 79 do w[i] = rol(w[i - 3] ~ w[i - 8] ~ w[i - 14] ~ w[i - 16], 1) end
      local a, b, c, d, e = h0, h1, h2, h3, h4
      for i = 0, 79 do
         local f, k
         if i < 20 then f, k = (b & c) | (~b & d), 0x5A827999
         elseif i < 40 then f, k = b ~ c ~ d, 0x6ED9EBA1
         elseif i < 60 then f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
         else f, k = b ~ c ~ d, 0xCA62C1D6 end
         local tmp = (rol(a, 5) + (f & 0xffffffff) + e + k + w[i]) & 0xffffffff
         a, b, c, d, e = tmp, a, rol(b, 30), c, d
      end
      h0, h1 = (h0 + a) & 0xffffffff, (h1 + b) & 0xffffffff
      h2, h3, h4 = (h2 + c) & 0xffffffff, (h3 + d) & 0xffffffff, (h4 + e) & 0xffffffff
   end
   return string.pack(">I4I4I4I4I4", h0, h1, h2, h3, h4)
end

local function hex(s)
   return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local function hmac_sha1(key, msg)
   if #key > 64 then key = sha1(key) end
   key = key .. string.rep("\0", 64 - #key)
   local ipad = key:gsub(".", function(c) return string.char(c:byte() ~ 0x36) end)
   local opad = key:gsub(".", function(c) return string.char(c:byte() ~ 0x5c) end)
   return sha1(opad .. sha1(ipad .. msg))
end

local function base32_decode(s)
   local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
   local bits, nbits, out = 0, 0, {}
   for c in s:upper():gmatch("[^=%s]") do
      local v = alphabet:find(c, 1, true)
      assert(v, "not base32: " .. c)
      bits = (bits << 5) | (v - 1)
      nbits = nbits + 5
      if nbits >= 8 then
         nbits = nbits - 8
         out[#out + 1] = string.char((bits >> nbits) & 0xff)
      end
   end
   return table.concat(out)
end

local function totp(secret_b32, now)
   local h = hmac_sha1(base32_decode(secret_b32), string.pack(">I8", now // 30))
   local o = (h:byte(20) & 0x0f) + 1
   local bin = ((h:byte(o) & 0x7f) << 24) | (h:byte(o + 1) << 16) | (h:byte(o + 2) << 8) |
               h:byte(o + 3)
   return string.format("%06d", bin % 1000000)
end

-- Self-checks of the reference.
eq(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1(abc)")
eq(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1('')")
eq(hex(sha1(string.rep("a", 1000))), "291e9a6c66994949b57ba5e650361e98fc36b1ba", "sha1(a x 1000)")
eq(hex(hmac_sha1("key", "The quick brown fox jumps over the lazy dog")),
   "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9", "hmac_sha1")
local RFC = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
eq(base32_decode(RFC), "12345678901234567890", "base32 of the RFC 6238 seed")
eq(totp(RFC, 59), "287082", "RFC 6238 T=59")
eq(totp(RFC, 1111111109), "081804", "RFC 6238 T=1111111109")
eq(totp(RFC, 1234567890), "005924", "RFC 6238 T=1234567890")
eq(totp(RFC, 2000000000), "279037", "RFC 6238 T=2000000000")

-- ############################################################################
-- generateTOTPSecret

local secret = ntop.generateTOTPSecret()
eq(type(secret), "string", "generateTOTPSecret type")
eq(#secret, 32, "generateTOTPSecret length")
assert(secret:match("^[A-Z2-7]+$"), "generateTOTPSecret is base32: " .. secret)
assert(ntop.generateTOTPSecret() ~= secret, "each secret is new")
eq(#base32_decode(secret), 20, "a secret holds 20 bytes")

-- ############################################################################
-- Nothing set yet

eq(ntop.getUserTOTPSecret("admin"), nil, "no secret yet")
eq(ntop.isTOTPEnabled("admin"), false, "TOTP off by default")
eq(ntop.validateTOTP("admin", "000000"), false, "validateTOTP without a secret")
eq(ntop.setUserTOTPEnabled("admin", true), false, "enabling without a secret is refused")
eq(ntop.isTOTPEnabled("admin"), false, "still off")
eq(ntop.getTOTPProvisioningUri("admin"), nil, "no URI without a secret")

-- ############################################################################
-- setUserTOTPSecret / getUserTOTPSecret / getTOTPProvisioningUri

eq(ntop.setUserTOTPSecret("admin", secret), true, "setUserTOTPSecret")
eq(ntop.getUserTOTPSecret("admin"), secret, "getUserTOTPSecret")
eq(ntop.getCache("ntopng.user.admin.totp_secret"), secret, "stored secret")
eq(ntop.isTOTPEnabled("admin"), false, "a secret alone does not enable TOTP")
eq(ntop.setUserTOTPSecret("admin", "not base32!"), false, "an invalid secret is refused")
eq(ntop.setUserTOTPSecret("admin", ""), false, "an empty secret is refused")
eq(ntop.getUserTOTPSecret("admin"), secret, "a refused secret changes nothing")
eq(ntop.setUserTOTPSecret("ghost", secret), false, "no secret for an unknown user")
eq(ntop.getUserTOTPSecret("ghost"), nil, "getUserTOTPSecret of an unknown user")

eq(ntop.getTOTPProvisioningUri("admin"),
   "otpauth://totp/flowlens:admin?secret=" .. secret ..
   "&issuer=flowlens&algorithm=SHA1&digits=6&period=30", "getTOTPProvisioningUri")
eq(ntop.getTOTPProvisioningUri("ghost"), nil, "no URI for an unknown user")

-- ############################################################################
-- setUserTOTPEnabled / isTOTPEnabled

eq(ntop.setUserTOTPEnabled("admin", true), true, "setUserTOTPEnabled(true)")
eq(ntop.isTOTPEnabled("admin"), true, "isTOTPEnabled")
eq(ntop.getUsers().admin.totp_enabled, true, "getUsers shows totp_enabled")
eq(ntop.setUserTOTPEnabled("admin", false), true, "setUserTOTPEnabled(false)")
eq(ntop.isTOTPEnabled("admin"), false, "off again")
eq(ntop.setUserTOTPEnabled("admin", true), true, "on again")
eq(ntop.setUserTOTPEnabled("ghost", false), false, "setUserTOTPEnabled of an unknown user")
eq(ntop.isTOTPEnabled("ghost"), false, "isTOTPEnabled of an unknown user")
eq(ntop.isTOTPEnabled("a.b"), false, "isTOTPEnabled of an invalid name")

-- ############################################################################
-- validateTOTP

for _, bad in ipairs({"", "12345", "1234567", "abcdef", "12 345", "12345a", "-12345"}) do
   eq(ntop.validateTOTP("admin", bad), false, "validateTOTP('" .. bad .. "')")
end
local now = os.time()
local code = totp(secret, now)
-- A code of two steps ago or ahead is out of the window.
local old = totp(secret, now - 90)
if old ~= code and old ~= totp(secret, now - 30) and old ~= totp(secret, now + 30) then
   eq(ntop.validateTOTP("admin", old), false, "a code from 90 s ago")
end
eq(ntop.validateTOTP("admin", code), true, "validateTOTP with the right code")
eq(ntop.validateTOTP("admin", code), false, "the same code again (replay)")
eq(ntop.validateTOTP("admin", "000000"), false, "validateTOTP('000000')")
local prev = totp(secret, now - 30)
eq(ntop.validateTOTP("admin", prev), false, "the previous step's code after a newer one")
eq(ntop.validateTOTP("ghost", code), false, "validateTOTP of an unknown user")
eq(ntop.getCache("ntopng.user.admin.totp_last_step") ~= nil, true, "the used step is recorded")

-- A new secret starts afresh: its current code works once.
local secret2 = ntop.generateTOTPSecret()
eq(ntop.setUserTOTPSecret("admin", secret2), true, "a new secret")
eq(ntop.getCache("ntopng.user.admin.totp_last_step"), nil, "a new secret clears the used step")
local code2 = totp(secret2, os.time())
eq(ntop.validateTOTP("admin", code2), true, "the new secret's code")
eq(ntop.validateTOTP("admin", code2), false, "and only once")

-- Lower-case secrets (as some apps show them) work too.
eq(ntop.setUserTOTPSecret("admin", secret:lower()), true, "a lower-case secret")
eq(ntop.validateTOTP("admin", totp(secret, os.time())), true, "a lower-case secret's code")

-- ############################################################################
-- Argument errors

expect_error("ntop.setUserTOTPSecret: argument #2 (secret) expected string, got no value",
             ntop.setUserTOTPSecret, "admin")
expect_error("ntop.getUserTOTPSecret: argument #1 (username) expected string, got nil",
             ntop.getUserTOTPSecret, nil)
expect_error("ntop.isTOTPEnabled: argument #1 (username) expected string, got table",
             ntop.isTOTPEnabled, {})
expect_error("ntop.setUserTOTPEnabled: argument #2 (enabled) expected boolean, got string",
             ntop.setUserTOTPEnabled, "admin", "yes")
expect_error("ntop.validateTOTP: argument #2 (code) expected string, got nil",
             ntop.validateTOTP, "admin", nil)
expect_error("ntop.getTOTPProvisioningUri: argument #1 (username) expected string, got boolean",
             ntop.getTOTPProvisioningUri, false)
