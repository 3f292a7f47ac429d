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

-- Every bit round-trips, and only that bit changes.
for bit = 0, 63 do
  local set = ntop.bitmapSet(0, bit)
  assert(ntop.bitmapIsSet(set, bit), "bit " .. bit .. " set")
  assert(set == 1 << bit, "bitmapSet(0, " .. bit .. ") == 1 << " .. bit)
  assert(ntop.bitmapClear(set, bit) == 0, "bit " .. bit .. " cleared")
  assert(ntop.bitmapClear(-1, bit) == ~(1 << bit), "clearing bit " .. bit .. " of all ones")
  assert(not ntop.bitmapIsSet(~(1 << bit), bit), "bit " .. bit .. " clear in its complement")
end
assert(ntop.bitmapSet(8, 3) == 8, "setting a set bit changes nothing")
assert(ntop.bitmapClear(8, 2) == 8, "clearing a clear bit changes nothing")
assert(ntop.bitmapSet(ntop.bitmapSet(0, 0), 5) == 33, "bits accumulate")
assert(ntop.bitmapIsSet(-1, 63) and ntop.bitmapIsSet(-1, 0), "-1 has every bit set")
assert(ntop.bitmapIsSet(2.0, 1), "an integral float is an integer")
ok, err = pcall(ntop.bitmapIsSet, 1, -1)
assert(not ok and err == "ntop.bitmapIsSet: argument #2 (val) must be 0..63", err)
ok, err = pcall(ntop.bitmapClear, 1, 64)
assert(not ok and err == "ntop.bitmapClear: argument #2 (val) must be 0..63", err)
ok, err = pcall(ntop.bitmapClear, "x", 1)
assert(not ok and err == "ntop.bitmapClear: argument #1 (bitmap) expected integer, got string", err)
ok, err = pcall(ntop.bitmapSet, 1.5, 1)
assert(not ok and
       err == "ntop.bitmapSet: argument #1 (bitmap) expected integer (got a fraction), got number",
       err)
ok, err = pcall(ntop.bitmapSet, 0, nil)
assert(not ok and err == "ntop.bitmapSet: argument #2 (val) expected integer, got nil", err)
