-- Spec section 4: File System, on files created under the test's data directory.

local t = require("testing")
local expect_error, write_file, count = t.expect_error, t.write_file, t.count

local wd = ntop.getDirs().workingdir
local base = wd .. "/fs"
local t0 = os.time()

-- ############################################################################
-- mkdir, isdir, exists

assert(ntop.isdir(wd) == true, "workingdir is a directory")
assert(ntop.isdir(base) == false and ntop.exists(base) == false, "nothing there yet")
assert(select("#", ntop.mkdir(base .. "/a/b/c")) == 0, "mkdir returns nothing")
assert(ntop.isdir(base .. "/a/b/c") == true, "mkdir creates the whole tree")
assert(ntop.isdir(base .. "/a/b") == true, "intermediate directories exist")
ntop.mkdir(base .. "/a/b/c")  -- already there: no error
assert(ntop.isdir(base .. "/a/b/c"), "mkdir of an existing directory keeps it")
assert(ntop.exists(base .. "/a") == true, "exists on a directory")

local file = base .. "/hello.txt"
write_file(file, "hello\n")
assert(ntop.exists(file) == true, "exists on a file")
assert(ntop.isdir(file) == false, "a file is not a directory")
assert(ntop.exists(base .. "/missing") == false, "exists on a missing path")
assert(ntop.isdir(base .. "/missing") == false, "isdir on a missing path")

ntop.mkdir(file .. "/sub")  -- a file is in the way: logged, no error
assert(ntop.isdir(file .. "/sub") == false, "mkdir below a file fails")
assert(ntop.exists(file) and not ntop.isdir(file), "the file in the way is untouched")

-- ############################################################################
-- notEmptyFile, fileLastChange

local empty = base .. "/empty.txt"
write_file(empty, "")
assert(ntop.notEmptyFile(file) == true, "a file with content")
assert(ntop.notEmptyFile(empty) == false, "an empty file")
assert(ntop.notEmptyFile(base) == false, "a directory is not a non-empty file")
assert(ntop.notEmptyFile(base .. "/missing") == false, "a missing file")

local changed = ntop.fileLastChange(file)
assert(math.type(changed) == "integer", "fileLastChange is an integer")
assert(changed >= t0 - 1 and changed <= os.time() + 1,
       "fileLastChange of a file just written is now: " .. changed .. " vs " .. t0)
assert(ntop.fileLastChange(base) >= t0 - 1, "fileLastChange works on a directory")
assert(ntop.fileLastChange(base .. "/missing") == -1, "fileLastChange of a missing file is -1")

-- ############################################################################
-- readdir

local names = ntop.readdir(base)
assert(type(names) == "table", "readdir returns a table")
for k, v in pairs(names) do assert(k == v, "readdir maps name -> name: " .. k) end
assert(names["a"] == "a" and names["hello.txt"] == "hello.txt" and names["empty.txt"] == "empty.txt",
       "readdir lists files and directories")
assert(names["."] == nil and names[".."] == nil, "readdir skips . and ..")
assert(count(names) == 3, "exactly three entries: " .. count(names))
assert(count(ntop.readdir(base .. "/a/b/c")) == 0, "an empty directory gives an empty table")
assert(ntop.readdir(base .. "/missing") == nil, "readdir of a missing directory is nil")
assert(ntop.readdir(file) == nil, "readdir of a file is nil")

-- ############################################################################
-- dumpFile, dumpBinaryFile: append to the response body (not readable from here)

assert(select("#", ntop.dumpFile(file)) == 0, "dumpFile returns nothing")
ntop.dumpFile(base .. "/missing")  -- logged, no error
ntop.dumpFile(base)                -- a directory: logged, no error
local bin = base .. "/bin.dat"
write_file(bin, "\0\1\2\255")
assert(select("#", ntop.dumpBinaryFile(bin)) == 0, "dumpBinaryFile returns nothing")
ntop.dumpBinaryFile(base .. "/missing")

-- ############################################################################
-- listReports

local reports = ntop.listReports()
assert(type(reports) == "table" and count(reports) == 0, "no reports directory: empty table")
ntop.mkdir(wd .. "/reports/subdir")
write_file(wd .. "/reports/r1.pdf", "abc")
reports = ntop.listReports()
assert(count(reports) == 1, "only regular files are reports: " .. count(reports))
local r1 = reports["r1.pdf"]
assert(r1 and r1.name == "r1.pdf" and r1.size == 3, "report r1.pdf with its size")
assert(r1.epoch >= t0 - 1 and r1.epoch <= os.time() + 1, "report epoch is its mtime")

-- ############################################################################
-- setDefaultFilePermissions (the resulting modes are checked in misc_exec_test.lua)

assert(select("#", ntop.setDefaultFilePermissions(file)) == 0, "returns nothing")
ntop.setDefaultFilePermissions(base .. "/missing")  -- logged, no error
assert(ntop.notEmptyFile(file), "the file is still readable")

-- ############################################################################
-- unlink, rmdir

assert(ntop.unlink(file) == true, "unlink of an existing file")
assert(ntop.exists(file) == false, "the file is gone")
assert(ntop.unlink(file) == false, "unlink of a missing file")
assert(ntop.unlink(base .. "/a") == false, "unlink refuses a directory")
assert(ntop.isdir(base .. "/a/b/c"), "the directory survived unlink")

assert(ntop.rmdir(empty) == false, "rmdir refuses a file")
assert(ntop.exists(empty), "the file survived rmdir")
assert(ntop.rmdir(base .. "/missing") == false, "rmdir of a missing directory")
assert(ntop.rmdir(base .. "/a") == true, "rmdir removes a whole tree")
assert(ntop.exists(base .. "/a") == false and ntop.exists(base .. "/a/b/c") == false, "tree gone")

-- The data directory itself is protected, however it is spelled.
ntop.mkdir(wd .. "/x")
for _, spelling in ipairs({ wd, wd .. "/", wd .. "/.", wd .. "/x/..", wd .. "//" }) do
   assert(ntop.rmdir(spelling) == false, "rmdir of the data directory refused: " .. spelling)
   assert(ntop.isdir(wd) and ntop.exists(empty), "the data directory survived: " .. spelling)
end
assert(ntop.rmdir(base) == true, "a directory below the data directory can go")
assert(ntop.isdir(wd) and not ntop.exists(base), "only it went")

-- ############################################################################
-- Argument errors

expect_error("ntop.isdir: argument #1 (path) expected string, got nil", ntop.isdir, nil)
expect_error("ntop.mkdir: argument #1 (path) expected string, got table", ntop.mkdir, {})
expect_error("ntop.notEmptyFile: argument #1 (path) expected string, got boolean",
             ntop.notEmptyFile, true)
expect_error("ntop.exists: argument #1 (path) expected string, got nil", ntop.exists, nil)
expect_error("ntop.fileLastChange: argument #1 (path) expected string, got nil",
             ntop.fileLastChange, nil)
expect_error("ntop.readdir: argument #1 (path) expected string, got nil", ntop.readdir, nil)
expect_error("ntop.rmdir: argument #1 (path) expected string, got nil", ntop.rmdir, nil)
expect_error("ntop.unlink: argument #1 (path) expected string, got nil", ntop.unlink, nil)
expect_error("ntop.dumpFile: argument #1 (path) expected string, got nil", ntop.dumpFile, nil)
expect_error("ntop.dumpBinaryFile: argument #1 (path) expected string, got table",
             ntop.dumpBinaryFile, {})
expect_error("ntop.setDefaultFilePermissions: argument #1 (path) expected string, got nil",
             ntop.setDefaultFilePermissions, nil)
