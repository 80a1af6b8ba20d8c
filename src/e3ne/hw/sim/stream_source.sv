/******************************************************************************
 * @brief   Bench stimulus: drives a valid/ready stream from a file of beats.
 * @author  e3ne
 *
 * @description
 *  Offers the N beats of FILE ($readmemh, one hex word a line) in order on
 *  vld/dat, idling GAP % of the cycles (plusarg +GAP=<n> overrides). Once vld
 *  is high, vld and dat stay put until the transfer (rule 2 of
 *  src/e3ne/hw/README.md); while vld is low dat is X, so a DUT that uses an
 *  idle payload shows X (Icarus; Verilator has no X). Counts the transfers
 *  and flags X on rdy (FAIL messages carry NAME and the bench cycle).
 *  All outputs change on the rising edge (nonblocking), so other bench
 *  processes sample them race-free.
 *****************************************************************************/

module stream_source #(
	parameter int W    = 8,         // bits per beat
	parameter int N    = 1,         // beats in FILE
	parameter     FILE = "in.mem",  // the beats, one hex word a line
	parameter int GAP  = 30,        // % of cycles the source idles (or +GAP=)
	parameter     NAME = "stream_source"
) (
	input  logic          clk,
	input  logic          rst,
	input  int            cycle,    // bench cycle count, for messages
	input  logic          rdy,
	output logic          vld,
	output logic [W-1:0]  dat,
	output int            sent,     // transfers so far
	output int            first,    // cycle of the first transfer, -1 before
	output int            errors
);

	logic [W-1:0]  Mem[0:N-1];
	int  gap = GAP;
	int  next = 0;  // beats put on dat so far

	initial begin
		vld    = 0;
		dat    = 'x;
		sent   = 0;
		first  = -1;
		errors = 0;
		$readmemh(FILE, Mem);
		if ($value$plusargs("GAP=%d", gap))  $display("%s: GAP %0d", NAME, gap);
	end

	always @(posedge clk) begin
		if (!rst) begin
			if ($isunknown(rdy)) begin
				errors <= errors + 1;
				$display("FAIL %s: cycle %0d: X on ready", NAME, cycle);
			end
			if (vld && rdy) begin
				if (sent == 0)  first <= cycle;
				sent <= sent + 1;
			end
			// offer the next beat once the current one is taken
			if (!vld || rdy) begin
				if (next < N && ($urandom % 100) >= gap) begin
					vld  <= 1;
					dat  <= Mem[next];
					next <= next + 1;
				end
				else begin
					vld <= 0;
					dat <= 'x;
				end
			end
		end
	end

endmodule : stream_source
