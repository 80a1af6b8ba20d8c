/**
 * @brief   Memory core: ROM or simple dual-port RAM in LUTs, block RAM or UltraRAM (STYLE).
 * @author  e3ne
 * @description
 *  DEPTH words Mem[0 .. DEPTH-1] of WIDTH bits, addresses AW = max(1, ceil(log2 DEPTH))
 *  bits wide.  Loaded with $readmemh(INIT_FILE) at time 0 when INIT_FILE is not empty
 *  (one hex word a line, word a on line a; no init: the words are X until written).
 *
 *  Write port (WRITE = 1): on a rising edge with we high, Mem[waddr] <= wdat.  With
 *  WRITE = 0 the memory is a ROM: we, waddr and wdat are ignored.
 *  Read port: rd = Mem[raddr] as the memory holds it before the edge (read first: a word
 *  written on the same edge is read with its old value).
 *   RD_REG = 1: registered read, rdat <= rd on a rising edge with re high, else rdat
 *       holds (1 cycle latency; the register is the block RAM's output register);
 *   RD_REG = 2: as 1, then a second register with the same enable (2 cycles): a block
 *       RAM's slow clock-to-output then meets no logic before a fabric flip-flop;
 *   RD_REG = 0: rdat = rd combinationally (0 cycles; re is ignored; LUTs only).
 *  Addresses >= DEPTH (DEPTH not a power of two) are undefined: a read returns an
 *  unspecified word, a write may land anywhere or nowhere; callers that compute such read
 *  addresses must mask the word (swu.sv does, for padded taps).
 *
 *  Placement, fixed here by a synthesis attribute on Mem instead of the tool's heuristics
 *  (the DSE counted what it asked for, e3ne.hw.memory):
 *                 WRITE = 0 (ROM)            WRITE = 1 (RAM)
 *   STYLE = 0:    rom_style = "logic"        ram_style = "distributed"
 *                 (LUT logic; constant       (LUTRAM, asynchronous read, the read
 *                 bits fold away)            register in flip-flops)
 *   STYLE = 1:    rom_style = "block"        ram_style = "block"
 *                 (block RAM, word width and depth packed as e3ne.hw.memory.bram_cells)
 *   STYLE = 2:    (refused)                  ram_style = "ultra"
 *                                            (UltraRAM, UltraScale+: URAM288 cells of
 *                                            4096 x 72, packed as e3ne.hw.memory.uram_cells;
 *                                            no initial contents: written at run time)
 *  Only Mem's declaration (its attribute) differs between the branches; init, write and
 *  read are one text for all (the macro MEM_RAM_PORTS, undefined again after use).
 */
module mem_ram #(
	parameter int DEPTH = 16,   // words, >= 1
	parameter int WIDTH = 8,    // bits per word, >= 1
	parameter int STYLE = 0,    // 0: LUTs (ROM: logic, RAM: distributed), 1: block RAM, 2: UltraRAM
	parameter int WRITE = 1,    // 1: write port (simple dual-port RAM), 0: ROM
	parameter int RD_REG = 1,   // 1 (2): one (two) read registers with enable re, 0: combinational
	parameter INIT_FILE = "",   // $readmemh image, "" for none
	localparam int AW = ($clog2(DEPTH) > 0)? $clog2(DEPTH) : 1   // address bits
)(
	// Global Control
	input	logic  clk,

	// Write Port (WRITE = 1)
	input	logic  we,
	input	logic [AW-1:0]  waddr,
	input	logic [WIDTH-1:0]  wdat,

	// Read Port
	input	logic  re,
	input	logic [AW-1:0]  raddr,
	output	logic [WIDTH-1:0]  rdat
);

	initial begin
		if (DEPTH < 1 || WIDTH < 1) begin
			$error("%m: DEPTH (%0d) and WIDTH (%0d) must be >= 1", DEPTH, WIDTH);
			$finish;
		end
		if (STYLE < 0 || STYLE > 2) begin
			$error("%m: STYLE (%0d) must be 0 (LUTs), 1 (block RAM) or 2 (UltraRAM)", STYLE);
			$finish;
		end
		if (STYLE == 2 && (WRITE != 1 || INIT_FILE != "")) begin
			$error("%m: STYLE (2) UltraRAM has no initial contents: it needs WRITE (%0d) = 1 and no INIT_FILE",
				WRITE);
			$finish;
		end
		if (WRITE < 0 || WRITE > 1 || RD_REG < 0 || RD_REG > 2) begin
			$error("%m: WRITE (%0d) must be 0 or 1 and RD_REG (%0d) 0, 1 or 2", WRITE, RD_REG);
			$finish;
		end
		if (STYLE != 0 && RD_REG == 0) begin
			$error("%m: STYLE (%0d) (block RAM or UltraRAM) needs a registered read, RD_REG (%0d) must be 1 or 2",
				STYLE, RD_REG);
			$finish;
		end
	end

	logic [WIDTH-1:0]  rd;    // Mem[raddr], read first

	//-----------------------------------------------------------------------
	// The memory, with its placement attribute.  Each branch declares Mem only;
	// init, write and read are the macro below, the same text in all four.
`define MEM_RAM_PORTS \
		initial begin \
			if (INIT_FILE != "")  $readmemh(INIT_FILE, Mem); \
		end \
		if (WRITE == 1) begin : genWrite \
			always_ff @(posedge clk) begin \
				if (we)  Mem[waddr] <= wdat; \
			end \
		end : genWrite \
		assign	rd = Mem[raddr];

	if (STYLE == 2) begin : genUltraRam
		(* ram_style = "ultra" *)
		logic [WIDTH-1:0]  Mem [0:DEPTH-1];
		`MEM_RAM_PORTS
	end : genUltraRam
	else if (STYLE == 1 && WRITE == 1) begin : genBlockRam
		(* ram_style = "block" *)
		logic [WIDTH-1:0]  Mem [0:DEPTH-1];
		`MEM_RAM_PORTS
	end : genBlockRam
	else if (STYLE == 1) begin : genBlockRom
		(* rom_style = "block" *)
		logic [WIDTH-1:0]  Mem [0:DEPTH-1];
		`MEM_RAM_PORTS
	end : genBlockRom
	else if (WRITE == 1) begin : genLutram
		(* ram_style = "distributed" *)
		logic [WIDTH-1:0]  Mem [0:DEPTH-1];
		`MEM_RAM_PORTS
	end : genLutram
	else begin : genLogicRom
		(* rom_style = "logic" *)
		logic [WIDTH-1:0]  Mem [0:DEPTH-1];
		`MEM_RAM_PORTS
	end : genLogicRom
`undef MEM_RAM_PORTS

	if (WRITE != 1) begin : genNoWrite
		wire  unused = &{1'b0, we, waddr, wdat};
	end : genNoWrite

	//-----------------------------------------------------------------------
	// Read port
	if (RD_REG == 1) begin : genRegRead
		always_ff @(posedge clk) begin
			if (re)  rdat <= rd;
		end
	end : genRegRead
	else if (RD_REG == 2) begin : genRegRead2
		logic [WIDTH-1:0]  Rd1;
		always_ff @(posedge clk) begin
			if (re) begin
				Rd1 <= rd;
				rdat <= Rd1;
			end
		end
	end : genRegRead2
	else begin : genCombRead
		assign	rdat = rd;
		wire  unused = &{1'b0, re, clk};   // (a combinational ROM has no clocked logic)
	end : genCombRead

endmodule : mem_ram
