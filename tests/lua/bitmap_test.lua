-- Spec section 26: bitmaps on 64-bit integers.
local bm = 0
bm = ntop.bitmapSet(bm, 3)
assert(bm == 8, "bitmapSet(0, 3) == 8")
assert(ntop.bitmapIsSet(bm, 3) == true)
assert(ntop.bitmapIsSet(bm, 2) == false)
assert(ntop.bitmapClear(bm, 3) == 0)
assert(ntop.bitmapSet(0, 63) == math.mininteger, "bit 63 is the sign bit")
assert(ntop.bitmapIsSet(ntop.bitmapSet(0, 63), 63))
local ok, err = pcall(ntop.bitmapSet, 0, 64)
assert(not ok and err:find("ntop.bitmapSet: argument #2 %(val%) must be 0..63"), err)
ok, err = pcall(ntop.bitmapIsSet, nil, 1)
assert(not ok and err:find("ntop.bitmapIsSet: argument #1 %(bitmap%) expected integer, got nil"), err)
