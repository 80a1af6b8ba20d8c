/**
 * @brief   Weight loader: writes one engine's weight memory from the weight stream, then
 *          passes the stream on to the next loader.
 * @author  e3ne
 * @description
 *  A memory without initial contents (UltraRAM, mem_ram.sv STYLE 2) is filled at run time:
 *  the generated top level chains one weight_load per such engine on its s_axis_weights
 *  port.  After reset a loader takes the first DEPTH*NB beats of the stream itself, NB =
 *  ceil(WIDTH/BUS) beats per word, little end first (beat b of word a carries its bits
 *  [b*BUS +: BUS]; bits past WIDTH in the last beat are ignored), and writes word a at
 *  address a, a = 0 .. DEPTH-1, one cycle after its last beat (we, waddr, wdat are
 *  registers).  Then done rises and stays high until reset, and every further beat leaves
 *  on the output stream for the next loader (PASS = 1: a two-beat stream_fifo, its ready a
 *  register, so no ready path runs along the chain), or is taken and dropped (PASS = 0,
 *  the chain's last loader: no FIFO, ovld stays low).
 *
 *  While loading, irdy is high (low in reset): a word costs NB cycles of a stream that
 *  keeps up.  The words wait in a shift register of (NB-1)*BUS flip-flops: a wide engine word (PE*SIMD*W
 *  bits) is written whole, as the engine's memory has one write enable.
 */
module weight_load #(
	parameter int BUS = 64,     // weight-stream bits per beat
	parameter int DEPTH = 16,   // words to write (the engine's weight memory)
	parameter int WIDTH = 8,    // bits per word
	parameter int PASS = 1,     // 1: pass the beats after the words on, 0: drop them
	localparam int NB = (WIDTH + BUS - 1)/BUS,              // beats per word
	localparam int AW = ($clog2(DEPTH) > 0)? $clog2(DEPTH) : 1
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,

	// Input Stream (the weight image, from this loader's words on)
	output	logic  irdy,
	input	logic  ivld,
	input	logic [BUS-1:0]  idat,

	// Output Stream (what follows this loader's words)
	input	logic  ordy,
	output	logic  ovld,
	output	logic [BUS-1:0]  odat,

	// Memory Write Port
	output	logic  we,
	output	logic [AW-1:0]  waddr,
	output	logic [WIDTH-1:0]  wdat,

	// All DEPTH words written
	output	logic  done
);

	localparam int BW = (NB > 1)? $clog2(NB) : 1;
	localparam int SW = (NB > 1)? (NB - 1)*BUS : 1;   // shift-register bits

	initial begin
		if (BUS < 1 || DEPTH < 1 || WIDTH < 1 || PASS < 0 || PASS > 1) begin
			$error("%m: BUS (%0d), DEPTH (%0d) and WIDTH (%0d) must be >= 1, PASS (%0d) 0 or 1",
				BUS, DEPTH, WIDTH, PASS);
			$finish;
		end
	end

	logic  Done;
	logic [AW-1:0]  Addr;    // the word being assembled
	logic [BW-1:0]  Beat;    // its beats taken so far
	logic [SW-1:0]  Buf;     // its earlier beats, the first lowest
	logic [NB*BUS-1:0]  word;
	logic  take, blast, f_irdy;

	assign	take = ivld && !rst && !Done;
	assign	blast = (NB == 1) || 32'(Beat) == NB-1;
	assign	irdy = !rst && (Done? f_irdy : 1'b1);   // (nothing is lost in reset)
	assign	done = Done;

	if (NB > 1) begin : genShift
		assign	word = {idat, Buf};
		always_ff @(posedge clk) begin
			if (take)  Buf <= SW'({idat, Buf} >> BUS);   // the new beat on top
		end
	end : genShift
	else begin : genOneBeat
		assign	word = idat;
		assign	Buf = '0;
		wire  unused_buf = &{1'b0, Buf};
	end : genOneBeat

	always_ff @(posedge clk) begin
		if (rst) begin
			Done <= 0;
			Addr <= 0;
			Beat <= 0;
			we <= 0;
		end
		else begin
			we <= take && blast;
			if (take) begin
				Beat <= blast? '0 : Beat + 1;
				if (blast) begin
					Addr <= Addr + 1;
					if (32'(Addr) == DEPTH-1)  Done <= 1;
				end
			end
		end
	end
	always_ff @(posedge clk) begin
		if (take && blast) begin
			waddr <= Addr;
			wdat <= word[WIDTH-1:0];
		end
	end

	if (NB*BUS > WIDTH) begin : genSpare
		wire  unused_bits = &{1'b0, word[NB*BUS-1:WIDTH]};
	end : genSpare

	if (PASS == 1) begin : genPass
		stream_fifo #(
			.WIDTH(BUS), .DEPTH(2)
		) inst_pass (
			.clk, .rst,
			.irdy(f_irdy), .ivld(ivld && Done), .idat,
			.ordy, .ovld, .odat
		);
	end : genPass
	else begin : genDrop
		assign	f_irdy = 1'b1;
		assign	ovld = 1'b0;
		assign	odat = '0;
		wire  unused_out = &{1'b0, ordy};
	end : genDrop

endmodule : weight_load
