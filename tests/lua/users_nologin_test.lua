-- options: -l 1
-- Spec section 7 with logins disabled for everybody (-l 1): isLoginDisabled() is true, and the
-- run still acts as the administrator.

local t = require("testing")

t.eq(ntop.isLoginDisabled(), true, "isLoginDisabled with -l 1")
t.eq(ntop.isAdministrator(), true, "isAdministrator")
t.eq(ntop.isGuiAccessRestricted(), false, "isGuiAccessRestricted: no ACL")
t.eq(ntop.getNologinUser(), "nologin", "getNologinUser")
