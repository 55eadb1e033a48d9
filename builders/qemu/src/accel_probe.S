.code16
.globl _start
_start:
  cli
  xor %ax,%ax
  mov %ax,%ds
  mov %ax,%ss
  mov $0x7c00,%sp
  lgdt gdtdesc
  mov %cr0,%eax
  or $1,%eax
  mov %eax,%cr0
  ljmp $0x08,$pm32
.code32
pm32:
  mov $0x10,%ax
  mov %ax,%ds
  mov %ax,%es
  mov %ax,%ss
  mov $0x12345678,%eax
  mov %eax,0x100000
  ljmp $0x18,$pm16
.code16
pm16:
  mov $0x20,%ax
  mov %ax,%ds
  mov %cr0,%eax
  and $0xfffffffe,%eax
  mov %eax,%cr0
  ljmp $0,$rm
rm:
  xor %ax,%ax
  mov %ax,%ds
  mov %ax,%ss
  sti
  mov $0x0e41,%ax
  int $0x10
  mov $1,%al
  out %al,$0xf4
1: hlt
  jmp 1b
.p2align 3
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff
  .quad 0x00cf92000000ffff
  .quad 0x00009a000000ffff
  .quad 0x008f92000000ffff
gdtdesc:
  .word gdtdesc-gdt-1
  .long gdt
.org 510
  .word 0xaa55
