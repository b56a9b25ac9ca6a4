"""Kbuild reading: which files make one module (codemod.engine.kbuild)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codemod.engine import kbuild
from codemod.model import FileFailure


def make_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (tree-relative path -> text; .c files may be empty)."""
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def module(tree: Path, path: str) -> kbuild.Module:
    return kbuild.Kbuild(tree).module_of(path)


def c_files(*paths: str) -> dict[str, str]:
    return {p: "" for p in paths}


# -- config variables: $(...) and ${...} alike --------------------------------

def test_braces_like_parentheses(tmp_path):
    tree = make_tree(tmp_path, {
        "drivers/tb/Makefile": """
            ccflags-y := -I$(src)
            obj-${CONFIG_USB4} := thunderbolt.o
            thunderbolt-objs := nhi.o ctl.o
            thunderbolt-objs += tb.o
            thunderbolt-${CONFIG_ACPI} += acpi.o
            thunderbolt-$(CONFIG_DEBUG_FS) += debugfs.o
            CFLAGS_test.o += $(DISABLE_STRUCTLEAK_PLUGIN)
            dma_test-${CONFIG_USB4_DMA_TEST} += dma_test.o
            obj-$(CONFIG_USB4_DMA_TEST) += dma_test.o
        """,
        **c_files(*(f"drivers/tb/{n}.c" for n in ("nhi", "ctl", "tb", "acpi", "debugfs", "dma_test"))),
    })
    m = module(tree, "drivers/tb/tb.c")
    assert m.name == "drivers/tb/thunderbolt"
    assert m.makefile == "drivers/tb/Makefile"
    assert m.files == [f"drivers/tb/{n}.c" for n in ("nhi", "ctl", "tb", "acpi", "debugfs")]
    assert module(tree, "drivers/tb/dma_test.c").files == ["drivers/tb/dma_test.c"]


def test_config_forms_in_the_list_name(tmp_path):
    """foo-$(CONFIG_X:m=y), foo-$(subst m,y,$(CONFIG_X)), foo-$(CONFIG_A)$(CONFIG_B),
    obj-${CONFIG_X} +=, and a continuation ending in a backslash."""
    tree = make_tree(tmp_path, {
        "drivers/m/Makefile": """
            obj-${CONFIG_M} += musb.o
            musb-y := core.o
            musb-$(CONFIG_HOST)$(CONFIG_DUAL) += host.o
            musb-$(CONFIG_GADGET:m=y) += gadget.o
            musb-$(subst m,y,$(CONFIG_DMA)) += dma.o \\
            \tdma2.o
        """,
        **c_files(*(f"drivers/m/{n}.c" for n in ("core", "host", "gadget", "dma", "dma2"))),
    })
    assert module(tree, "drivers/m/dma2.c").files == [
        f"drivers/m/{n}.c" for n in ("core", "host", "gadget", "dma", "dma2")]


# -- include ------------------------------------------------------------------

def test_include_with_src_and_variables(tmp_path):
    """The habanalabs shape: sub-Makefiles included with $(src) define
    variables of objects that the composite takes in."""
    tree = make_tree(tmp_path, {
        "drivers/hl/Makefile": """
            obj-$(CONFIG_HL) := hl.o

            include $(src)/common/Makefile
            hl-y += $(HL_COMMON_FILES)

            include $(src)/gaudi/Makefile
            hl-y += $(HL_GAUDI_FILES)

            hl-$(CONFIG_DEBUG_FS) += common/debugfs.o
        """,
        "drivers/hl/common/Makefile": """
            include $(src)/common/mmu/Makefile
            hl-y += $(HL_COMMON_MMU_FILES)

            HL_COMMON_FILES := common/drv.o common/device.o \\
            \t\tcommon/irq.o

            # both sides of a condition count
            ifdef CONFIG_HL_HLDIO
            HL_COMMON_FILES += common/hldio.o
            endif
        """,
        "drivers/hl/common/mmu/Makefile": "HL_COMMON_MMU_FILES := common/mmu/mmu.o common/mmu/mmu_v1.o\n",
        "drivers/hl/gaudi/Makefile": "HL_GAUDI_FILES := gaudi/gaudi.o \\\n\tgaudi/gaudi_security.o\n",
        **c_files("drivers/hl/common/drv.c", "drivers/hl/common/device.c", "drivers/hl/common/irq.c",
                  "drivers/hl/common/hldio.c", "drivers/hl/common/debugfs.c",
                  "drivers/hl/common/mmu/mmu.c", "drivers/hl/common/mmu/mmu_v1.c",
                  "drivers/hl/gaudi/gaudi.c", "drivers/hl/gaudi/gaudi_security.c"),
    })
    want = {"drivers/hl/common/drv.c", "drivers/hl/common/device.c", "drivers/hl/common/irq.c",
            "drivers/hl/common/hldio.c", "drivers/hl/common/debugfs.c",
            "drivers/hl/common/mmu/mmu.c", "drivers/hl/common/mmu/mmu_v1.c",
            "drivers/hl/gaudi/gaudi.c", "drivers/hl/gaudi/gaudi_security.c"}
    for f in ("drivers/hl/gaudi/gaudi.c", "drivers/hl/common/device.c", "drivers/hl/common/mmu/mmu.c"):
        m = module(tree, f)
        assert (m.name, m.makefile) == ("drivers/hl/hl", "drivers/hl/Makefile"), f
        assert set(m.files) == want, f
    notes: list[FileFailure] = []
    mods = kbuild.group(tree, ["drivers/hl/gaudi/gaudi.c", "drivers/hl/common/device.c"], notes)
    assert [m.name for m in mods] == ["drivers/hl/hl"]
    # the fragments read on their own (an include they cannot find) say nothing
    assert notes == []


def test_include_srctree_relative_and_optional(tmp_path):
    tree = make_tree(tmp_path, {
        "drivers/x/Makefile": """
            obj-m += x.o
            include $(srctree)/scripts/x-common.mk
            include extra.mk
            -include $(src)/not-there.mk
            sinclude also-not-there.mk
            x-y := main.o $(COMMON_OBJS) $(EXTRA_OBJS)
        """,
        "scripts/x-common.mk": "COMMON_OBJS = common.o\n",
        "drivers/x/extra.mk": "EXTRA_OBJS := extra.o\n",
        **c_files("drivers/x/main.c", "drivers/x/common.c", "drivers/x/extra.c"),
    })
    notes: list[FileFailure] = []
    (m,) = kbuild.group(tree, ["drivers/x/main.c"], notes)
    assert m.files == ["drivers/x/main.c", "drivers/x/common.c", "drivers/x/extra.c"]
    assert notes == []


def test_include_cycle_terminates(tmp_path):
    tree = make_tree(tmp_path, {
        "drivers/c/Makefile": "obj-m += c.o\ninclude $(src)/a.mk\nc-y += $(A)\n",
        "drivers/c/a.mk": "A += a.o\ninclude $(src)/b.mk\n",
        "drivers/c/b.mk": "A += b.o\ninclude $(src)/a.mk\ninclude $(src)/../c/Makefile\n",
        **c_files("drivers/c/a.c", "drivers/c/b.c"),
    })
    assert module(tree, "drivers/c/a.c").files == ["drivers/c/a.c", "drivers/c/b.c"]


def test_members_beside_the_directory(tmp_path):
    """The amdgpu shape: a Makefile includes a sibling directory's Makefile,
    whose objects are named ../pm/x.o; a file of that sibling is found
    through the parent's obj-y += amd/amdgpu/."""
    tree = make_tree(tmp_path, {
        "drivers/gpu/drm/Makefile": "obj-$(CONFIG_DRM_AMDGPU) += amd/amdgpu/\nobj-y += other/\n",
        "drivers/gpu/drm/other/Makefile": "obj-y += other.o\n",
        "drivers/gpu/drm/amd/amdgpu/Makefile": """
            FULL_AMD_PATH=$(src)/..
            amdgpu-y := amdgpu_drv.o
            include $(FULL_AMD_PATH)/pm/Makefile
            amdgpu-y += $(AMD_PM_FILES)
            obj-$(CONFIG_DRM_AMDGPU) += amdgpu.o
        """,
        "drivers/gpu/drm/amd/pm/Makefile": """
            AMD_PM_PATH = ../pm
            PM_LIBS = swsmu
            include $(addsuffix /Makefile,$(addprefix $(FULL_AMD_PATH)/pm/,$(PM_LIBS)))
            AMD_PM_FILES += $(addprefix $(AMD_PM_PATH)/,amdgpu_dpm.o)
        """,
        "drivers/gpu/drm/amd/pm/swsmu/Makefile": """
            SWSMU = smu_cmn.o
            AMD_PM_FILES += $(addprefix $(AMD_PM_PATH)/swsmu/,$(SWSMU))
        """,
        **c_files("drivers/gpu/drm/amd/amdgpu/amdgpu_drv.c", "drivers/gpu/drm/amd/pm/amdgpu_dpm.c",
                  "drivers/gpu/drm/amd/pm/swsmu/smu_cmn.c", "drivers/gpu/drm/other/other.c"),
    })
    want = ["drivers/gpu/drm/amd/amdgpu/amdgpu_drv.c", "drivers/gpu/drm/amd/pm/swsmu/smu_cmn.c",
            "drivers/gpu/drm/amd/pm/amdgpu_dpm.c"]
    for f in want:
        m = module(tree, f)
        assert (m.name, m.files) == ("drivers/gpu/drm/amd/amdgpu/amdgpu", want), f


# -- variables and functions -------------------------------------------------

def test_variables_and_list_functions(tmp_path):
    """Variables in object lists, in make's flavours (:= expands at once, =
    when used), composite lists used as variables, substitution references and
    the list functions the reader knows."""
    tree = make_tree(tmp_path, {
        "drivers/v/Makefile": """
            obj-m += v.o
            gt-y += gt/a.o
            gt-$(CONFIG_X86) += gt/b.o
            v-y += $(gt-y)
            v-y += $(addprefix display/, d1.o d2.o) $(addsuffix .o,s0)
            SRCS := s1.c s2.c
            v-y += $(SRCS:.c=.o) $(patsubst %.c,%.o,p.c) $(subst .c,.o,q.c)
            LATE = $(LATER)
            v-y += $(LATE)
            LATER := late.o
            SIMPLE := early.o
            SNAP := $(SIMPLE)
            SIMPLE := not-this.o
            v-y += $(SNAP)
            LIST := one.o
            LIST := $(LIST) two.o
            v-y += ${LIST}
        """,
        **c_files(*(f"drivers/v/{n}.c" for n in (
            "gt/a", "gt/b", "display/d1", "display/d2", "s0", "s1", "s2", "p", "q", "late", "early",
            "not-this", "one", "two"))),
    })
    m = module(tree, "drivers/v/gt/b.c")
    assert m.name == "drivers/v/v"
    assert m.files == [f"drivers/v/{n}.c" for n in (
        "gt/a", "gt/b", "display/d1", "display/d2", "s0", "s1", "s2", "p", "q", "late", "early",
        "one", "two")]


def test_defines_recipes_and_comments_are_not_objects(tmp_path):
    """define blocks, rule recipes and comments (continued by a backslash, as
    make does) hold no objects."""
    mk = kbuild.parse_makefile(textwrap.dedent("""
        obj-y += real.o
        define helper
        obj-y += fake_define.o
        endef
        $(obj)/gen.o: $(src)/gen.h
        \tfoo-y := fake_recipe.o
        comp-y := a.o # b.o \\
        \tfake_comment.o
        comp-y += c.o
        obj-m += comp.o
    """), "drivers/d")
    assert mk.obj == ["real.o", "comp.o"]
    assert mk.composite == {"comp": ["a.o", "c.o"]}
    assert kbuild.Kbuild(tmp_path).modules(mk) == {"comp": ["a.o", "c.o"]}


# -- what is not understood is reported --------------------------------------

def test_unresolvable_form_is_reported_with_file_and_line(tmp_path):
    tree = make_tree(tmp_path, {
        "drivers/foo/Makefile": """
            # SPDX-License-Identifier: GPL-2.0
            obj-$(CONFIG_FOO) += foo.o
            foo-y := foo_main.o
            foo-y += $(call foo_objs,x)
            foo-y += $(shell ls *.o)

            obj-$(CONFIG_BAR) += bar.o
            bar-y := bar_main.o $(wildcard $(src)/bar_*.o)
        """,
        **c_files("drivers/foo/foo_main.c", "drivers/foo/foo_x.c", "drivers/foo/bar_main.c"),
    })
    notes: list[FileFailure] = []
    mods = kbuild.group(tree, ["drivers/foo/foo_main.c"], notes)
    assert [(m.name, m.files) for m in mods] == [("drivers/foo/foo", ["drivers/foo/foo_main.c"])]
    # one note per line, only for the module holding the file (not bar's line)
    assert notes == [
        FileFailure("drivers/foo/Makefile",
                    "line 4: cannot resolve `$(call foo_objs,x)` in `foo-y`; "
                    "module foo may be missing files"),
        FileFailure("drivers/foo/Makefile",
                    "line 5: cannot resolve `$(shell ls *.o)` in `foo-y`; "
                    "module foo may be missing files"),
    ]
    # a lone file of that directory: the unresolved lists may hold it
    notes = []
    kbuild.group(tree, ["drivers/foo/foo_x.c"], notes)
    assert [n.error.split(";")[0] for n in notes] == [
        "line 4: cannot resolve `$(call foo_objs,x)` in `foo-y`",
        "line 5: cannot resolve `$(shell ls *.o)` in `foo-y`",
        "line 8: cannot resolve `$(wildcard $(src)/bar_*.o)` in `bar-y`"]
    assert all(n.error.endswith("; foo_x.c may be missing from its module") for n in notes)
    # no notes wanted, none made
    assert kbuild.group(tree, ["drivers/foo/foo_x.c"])[0].files == ["drivers/foo/foo_x.c"]


def test_eval_line_and_missing_include_are_reported(tmp_path):
    tree = make_tree(tmp_path, {
        "drivers/p/Makefile": """
            obj-$(CONFIG_A) += named.o
            p-target-$(CONFIG_YMC) += ymc.o
            define P_OBJ
            p-$(1)-y := $(1).o
            obj-$(2) += p-$(1).o
            endef
            define P_RULE
            $(obj)/$(1).h: FORCE
            endef
            $(foreach t, $(basename $(p-target-y)), $(eval $(call P_OBJ,$(t),y)))
            $(eval $(call P_RULE,gen))
        """,
        "drivers/q/Makefile": """
            obj-m += q.o
            include $(src)/$(Q_PARTS)/Makefile
            include $(src)/nowhere.mk
            q-y := q_main.o
        """,
        **c_files("drivers/p/ymc.c", "drivers/p/named.c", "drivers/q/q_main.c"),
    })
    notes: list[FileFailure] = []
    kbuild.group(tree, ["drivers/p/ymc.c", "drivers/p/named.c", "drivers/q/q_main.c"], notes)
    assert [(n.path, n.error) for n in notes] == [
        ("drivers/p/Makefile",
         "line 10: cannot resolve `$(foreach t, $(basename $(p-target-y)), $(eval $(call P_OBJ,$(t),y)))`; "
         "ymc.c may be missing from its module"),
        ("drivers/q/Makefile",
         "line 2: cannot follow `include $(src)/$(Q_PARTS)/Makefile`; module q may be missing files"),
        ("drivers/q/Makefile",
         "line 3: cannot follow `include drivers/q/nowhere.mk`; module q may be missing files"),
    ]


# -- the real tree -----------------------------------------------------------

@pytest.mark.realtree
def test_real_thunderbolt_braces(on_72, kernel_tree):
    """drivers/thunderbolt/Makefile: obj-${CONFIG_USB4} := thunderbolt.o with
    thunderbolt-objs and thunderbolt-${CONFIG_ACPI}."""
    m = module(kernel_tree, "drivers/thunderbolt/nhi.c")
    assert m.name == "drivers/thunderbolt/thunderbolt"
    assert len(m.files) > 15
    for f in ("nhi.c", "tb.c", "pci.c", "switch.c", "acpi.c", "debugfs.c"):
        assert f"drivers/thunderbolt/{f}" in m.files
    assert "drivers/thunderbolt/dma_test.c" not in m.files


@pytest.mark.realtree
def test_real_t7xx_is_multi_file(on_72, kernel_tree):
    m = module(kernel_tree, "drivers/net/wwan/t7xx/t7xx_pci.c")
    assert m.name == "drivers/net/wwan/t7xx/mtk_t7xx"
    assert len(m.files) > 10
    assert "drivers/net/wwan/t7xx/t7xx_modem_ops.c" in m.files


@pytest.mark.realtree
def test_real_habanalabs_includes(on_72, kernel_tree):
    """drivers/accel/habanalabs/Makefile includes common/, gaudi/, gaudi2/,
    goya/ Makefiles (and common/ includes mmu/ and pci/)."""
    gaudi = module(kernel_tree, "drivers/accel/habanalabs/gaudi/gaudi.c")
    device = module(kernel_tree, "drivers/accel/habanalabs/common/device.c")
    assert gaudi.name == device.name == "drivers/accel/habanalabs/habanalabs"
    assert gaudi.files == device.files
    for f in ("common/device.c", "common/habanalabs_drv.c", "common/mmu/mmu.c", "common/pci/pci.c",
              "gaudi/gaudi.c", "gaudi2/gaudi2.c", "goya/goya.c", "common/debugfs.c"):
        assert f"drivers/accel/habanalabs/{f}" in gaudi.files


@pytest.mark.realtree
def test_real_scan_candidates_group_without_notes_for_understood_forms(on_72, kernel_tree):
    """The modules above come out of group() too, and a directory whose
    Makefile is fully understood gives no note."""
    notes: list[FileFailure] = []
    files = ["drivers/thunderbolt/nhi.c", "drivers/thunderbolt/pci.c",
             "drivers/net/wwan/t7xx/t7xx_pci.c", "drivers/accel/habanalabs/gaudi/gaudi.c",
             "drivers/accel/habanalabs/common/habanalabs_drv.c"]
    mods = kbuild.group(kernel_tree, files, notes)
    assert [m.name for m in mods] == ["drivers/accel/habanalabs/habanalabs",
                                      "drivers/net/wwan/t7xx/mtk_t7xx",
                                      "drivers/thunderbolt/thunderbolt"]
    assert notes == []


@pytest.fixture
def on_72(kernel_tree):
    """These name files and Makefile lines of the 7.2 tree; other trees skip them."""
    import re

    head = (kernel_tree / "Makefile").read_text(errors="replace")[:2000]
    v = re.search(r"^VERSION = (\d+)", head, re.M)
    p = re.search(r"^PATCHLEVEL = (\d+)", head, re.M)
    if not (v and p and f"{v[1]}.{p[1]}" == "7.2"):
        pytest.skip("a fact of the 7.2 tree")
