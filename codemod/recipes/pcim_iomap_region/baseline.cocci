// SPDX-License-Identifier: GPL-2.0-only
/// Replace pcim_iomap_regions() + pcim_iomap_table() with pcim_iomap_region().
///
/// pcim_iomap_regions() and pcim_iomap_table() are deprecated.  For one BAR,
///	rc = pcim_iomap_regions(pdev, BIT(N), name);
///	if (rc) ...
///	...
///	lv = pcim_iomap_table(pdev)[N];
/// becomes
///	lv = pcim_iomap_region(pdev, N, name);
///	rc = PTR_ERR_OR_ZERO(lv);
///	if (rc) ...
/// and the table read goes, with a NULL check of lv that follows it (dead:
/// pcim_iomap_region() returns an address or an ERR_PTR, never NULL).  When
/// the check is exactly "if (rc) return rc;" (or "rc < 0") and rc's next
/// mention is a write or there is none, the short form is used instead:
///	lv = pcim_iomap_region(pdev, N, name);
///	if (IS_ERR(lv))
///		return PTR_ERR(lv);
/// (and a lone "int rc;" that is then unused goes).  The if-form
/// "if (pcim_iomap_regions(...)) BODY" becomes "lv = ...; if (IS_ERR(lv)) BODY".
///
/// This is the Coccinelle baseline kcodemod is compared with (make bench):
/// the single-BAR shapes a kernel developer would write in an afternoon.
/// What it handles:
///  - the mask is BIT(N) or 1 << N, and the read is a statement
///    "LV = pcim_iomap_table(DEV)[N];" with the same DEV and N, later in the
///    same function on every path from the check;
///  - LV is a variable, P->f, P.f, P->f.g or P.f.g; neither LV is mentioned
///    nor its base variable P assigned or its address taken between the
///    regions call and the read (the new call sets LV where the old one was);
///  - the check right after the call is if (rc), if (rc < 0) or if (rc != 0),
///    optionally after the "if (rc == -EBUSY) pcim_pin_device(pdev);" idiom,
///    and its branch ends in "return E;" (E not 0) or "goto label;".
/// What it does not handle (left unchanged):
///  - masks with several BARs ((1 << a) | (1 << b), BIT(a) | BIT(b)), integer
///    literals (1, 0x3, 4) and masks held in variables;
///  - a table kept in a variable or a struct member (T = pcim_iomap_table();
///    host->iomap = ...), and entries read inside an expression or passed as
///    an argument: any such read anywhere in the file leaves the whole file
///    alone, since pcim_iomap_region() does not fill the table;
///  - checks that do not leave the function with an error ("return;",
///    "return 0;", continue, no check), and reads in another function;
///  - a string naming "pcim_iomap_regions" in the check's message is not
///    renamed, and lines are wrapped by spatch's own pretty printer.
/// Known weak spots: the check's "goto label;" is taken as an error exit even
/// when the label is a fallback path (LV then holds an ERR_PTR there); a second
/// direct read of the same table entry in another function of the file is not
/// looked for; the dead NULL check is removed after any pcim_iomap_region()
/// call of a converted file, and the unused "int rc;" in any function of it.
/// kcodemod checks each of these per driver and refuses, with a reason, what
/// it cannot prove.
///
/// Usage (the flags make coccicheck passes, plus --no-includes: the rules
/// need no type information).  The patch rules run unless -D report is given,
/// so no -D option is needed (-D patch is accepted too):
///   spatch --sp-file baseline.cocci --dir TREE \
///          --jobs 2 --chunksize 1 --very-quiet --no-includes
/// or from a kernel tree:
///   make coccicheck MODE=patch COCCI=.../baseline.cocci
/// -D report lists every pcim_iomap_regions() call instead (MODE=report).
///
// Confidence: Moderate
// Keywords: pcim_iomap_regions, pcim_iomap_table, pcim_iomap_region
// Options: --no-includes

virtual patch
virtual report

// ------------------------------------------------- patch mode (the default)

// Reads of the table that are not "LV = pcim_iomap_table(DEV)[N];" statements
// would see NULL once the regions call is gone: such a file is left alone.
@direct depends on !report@
expression LV, DEV, N;
position p;
@@
LV = pcim_iomap_table@p(DEV)[N];

@other depends on !report@
position p != direct.p;
@@
pcim_iomap_table@p(...)

// Each direct read, binding what it assigns (LV) and LV's base variable (P).
// The rules below start from these bindings: matching the regions call first
// and looking for the read afterwards is very slow on long functions.
@use depends on !report && !other@
expression DEV, N, LV;
identifier P, F, G;
@@
\(P@LV\|P->F@LV\|P.F@LV\|P->F.G@LV\|P.F.G@LV\) = pcim_iomap_table(DEV)[N];

// Short form, rc's next mention after the read is a write.
@short_w depends on !report && !other@
expression use.DEV, use.N, use.LV;
identifier use.P;
expression NAME, E2, E3;
idexpression RC;
@@
- RC = pcim_iomap_regions(DEV, \(BIT(N)\|1 << N\), NAME);
+ LV = pcim_iomap_region(DEV, N, NAME);
  if (
-     \(RC\|RC < 0\)
+     IS_ERR(LV)
     )
      return
-            RC
+            PTR_ERR(LV)
      ;
  ... when != LV
      when != P = E2
      when != &P
      when != RC
      when any
- LV = pcim_iomap_table(DEV)[N];
  ... when != RC
  RC = E3;

// Short form, rc not mentioned again.
@short_n depends on !report && !other@
expression use.DEV, use.N, use.LV;
identifier use.P;
expression NAME, E2;
identifier RC;
@@
- RC = pcim_iomap_regions(DEV, \(BIT(N)\|1 << N\), NAME);
+ LV = pcim_iomap_region(DEV, N, NAME);
  if (
-     \(RC\|RC < 0\)
+     IS_ERR(LV)
     )
      return
-            RC
+            PTR_ERR(LV)
      ;
  ... when != LV
      when != P = E2
      when != &P
      when != RC
      when any
- LV = pcim_iomap_table(DEV)[N];
  ... when != RC

@short_decl depends on !report@
identifier short_n.RC;
@@
(
- int RC;
|
- int RC = 0;
)
  ... when != RC

// Any other check: rc keeps its meaning, the check stays as it is.
@full depends on !report && !other@
expression use.DEV, use.N, use.LV;
identifier use.P;
expression NAME, E2, RC;
expression E3 != 0;
identifier L;
@@
- RC = pcim_iomap_regions(DEV, \(BIT(N)\|1 << N\), NAME);
+ LV = pcim_iomap_region(DEV, N, NAME);
+ RC = PTR_ERR_OR_ZERO(LV);
? if (RC == -EBUSY) pcim_pin_device(DEV);
(
  if (\(RC\|RC < 0\|RC != 0\)) return E3;
|
  if (\(RC\|RC < 0\|RC != 0\)) goto L;
|
  if (\(RC\|RC < 0\|RC != 0\)) { ... return E3; }
|
  if (\(RC\|RC < 0\|RC != 0\)) { ... goto L; }
)
  ... when != LV
      when != P = E2
      when != &P
      when any
- LV = pcim_iomap_table(DEV)[N];

// if (pcim_iomap_regions(...)) BODY
@iff depends on !report && !other@
expression use.DEV, use.N, use.LV;
identifier use.P;
expression NAME, E2;
expression E3 != 0;
identifier L;
@@
(
+ LV = pcim_iomap_region(DEV, N, NAME);
  if (
-     pcim_iomap_regions(DEV, \(BIT(N)\|1 << N\), NAME)
+     IS_ERR(LV)
     ) return E3;
|
+ LV = pcim_iomap_region(DEV, N, NAME);
  if (
-     pcim_iomap_regions(DEV, \(BIT(N)\|1 << N\), NAME)
+     IS_ERR(LV)
     ) goto L;
|
+ LV = pcim_iomap_region(DEV, N, NAME);
  if (
-     pcim_iomap_regions(DEV, \(BIT(N)\|1 << N\), NAME)
+     IS_ERR(LV)
     ) { ... return E3; }
|
+ LV = pcim_iomap_region(DEV, N, NAME);
  if (
-     pcim_iomap_regions(DEV, \(BIT(N)\|1 << N\), NAME)
+     IS_ERR(LV)
     ) { ... goto L; }
)
  ... when != LV
      when != P = E2
      when != &P
      when any
- LV = pcim_iomap_table(DEV)[N];

// The NULL check that followed the removed read is dead now.
@nullcheck depends on !report && (short_w || short_n || full || iff)@
expression DEV, N, NAME, LV, RC;
statement S, S1;
@@
  LV = pcim_iomap_region(DEV, N, NAME);
(
  if (IS_ERR(LV)) S1
|
  RC = PTR_ERR_OR_ZERO(LV);
)
  ... when != LV
      when any
(
- if (!LV) S
|
- if (LV == NULL) S
)

// --------------------------------------------------------------- report mode

@regions depends on report@
position p;
@@
pcim_iomap_regions@p(...)

@script:python depends on report@
p << regions.p;
@@
coccilib.report.print_report(p[0],
    "pcim_iomap_regions() and pcim_iomap_table() are deprecated: use pcim_iomap_region()")
