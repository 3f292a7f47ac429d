-- options: --lua-timeout 2000
-- Spec section 33: isDeadlineApproaching / getDeadline with a short time limit. The deadline
-- approaches when less than a tenth of the limit, and at least a second, is left.

local start = ntop.gettimemsec()
assert(ntop.isDeadlineApproaching() == false, "2 s left of 2 s: not approaching yet")
local deadline = ntop.getDeadline()
assert(deadline >= os.time() and deadline <= os.time() + 2,
       "getDeadline is within the 2 s limit: " .. deadline .. " vs " .. os.time())

ntop.msleep(1100)  -- about 0.9 s left: under the 1 s margin
assert(ntop.gettimemsec() - start >= 1099, "slept 1.1 s")
assert(ntop.isDeadlineApproaching() == true, "0.9 s left: the deadline is approaching")
assert(ntop.getDeadline() <= os.time() + 1, "the deadline is at most a second away")
