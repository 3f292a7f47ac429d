-- options: --http-acl -0.0.0.0/0,+127.0.0.1
-- Spec section 7, isGuiAccessRestricted(): true once an HTTP access control list is set.

local t = require("testing")

t.eq(ntop.isGuiAccessRestricted(), true, "isGuiAccessRestricted with --http-acl")
t.eq(ntop.isLoginDisabled(), false, "isLoginDisabled: the ACL does not disable logins")
